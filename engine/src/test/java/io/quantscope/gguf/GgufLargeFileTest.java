package io.quantscope.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantscope.gguf.GgufLayout.TensorSpec;
import io.quantscope.tensor.GgmlType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files over 2 GiB: offsets beyond {@code Integer.MAX_VALUE} map and slice correctly (sparse file, no real data). */
class GgufLargeFileTest {
    @TempDir
    Path tmp;

    @Test
    void readsATensorPastTwoGibibytes() throws IOException {
        long big = 3L << 30; // 3 GiB of F32: 805,306,368 weights
        List<TensorSpec> specs = List.of(
                new TensorSpec("huge.weight", new long[] {1024, big / 4 / 1024}, GgmlType.F32),
                new TensorSpec("tail.weight", new long[] {8}, GgmlType.F32));
        GgufLayout layout = GgufLayout.of(3, GgufMetadata.empty(), specs);
        Path file = tmp.resolve("large.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(layout.fileSize()); // sparse: no disk used for the zeros
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(layout.headerBytes()), 0);
            ByteBuffer tail = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 8; i++) {
                tail.putFloat(i + 0.5f);
            }
            ch.write(tail.flip(), layout.dataOffset() + layout.tensors().get(1).offset());
        }
        long start = System.nanoTime();
        try (GgufFile f = GgufFile.open(file)) {
            GgufTensorInfo tail = f.tensor("tail.weight").orElseThrow();
            assertEquals(true, f.dataOffset() + tail.offset() > Integer.MAX_VALUE);
            var data = f.tensorData(tail);
            assertEquals(7.5f, data.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 28));
            assertEquals(
                    big, f.tensorData(f.tensor("huge.weight").orElseThrow()).byteSize());
        }
        System.out.printf(
                "opened a %.1f GiB file in %.1f ms%n",
                layout.fileSize() / (double) (1L << 30), (System.nanoTime() - start) / 1e6);
    }
}
