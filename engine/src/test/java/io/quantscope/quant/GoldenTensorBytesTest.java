package io.quantscope.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every quantized tensor of every llama.cpp golden equals what our codec makes from the F32 source tensor: the
 * quantizers alone, independent of the per-tensor plan and the file writer.
 */
class GoldenTensorBytesTest {
    @TestFactory
    Stream<DynamicTest> everyGoldenTensorMatchesOurQuantizer() throws IOException {
        Path golden = SharedFiles.require("golden");
        List<Path> files;
        try (Stream<Path> s = Files.list(golden)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".gguf"))
                    .sorted()
                    .toList();
        }
        return files.stream().map(g -> DynamicTest.dynamicTest(g.getFileName().toString(), () -> check(g)));
    }

    private static void check(Path goldenFile) throws IOException {
        String name = goldenFile.getFileName().toString();
        Path src = SharedFiles.require(
                name.startsWith("stories260K-wide") ? "models/stories260K-wide-f32.gguf" : "models/stories260K.gguf");
        ImportanceMatrix imx = name.contains("-imx-")
                ? ImportanceMatrix.read(SharedFiles.require("golden/stories260K-wide.imatrix"))
                : null;
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        try (GgufFile source = GgufFile.open(src);
                GgufFile gold = GgufFile.open(goldenFile)) {
            for (GgufTensorInfo gt : gold.tensors()) {
                GgufTensorInfo st = source.tensor(gt.name()).orElseThrow();
                if (gt.type() == st.type()) continue;
                BlockCodec codec = Codecs.of(gt.type());
                int n = (int) st.rowLength();
                int rows = (int) st.rows();
                float[] x = readF32(source.tensorData(st), n * rows);
                float[] im = imx == null ? null : imx.get(gt.name()).orElse(null);
                byte[] out = new byte[(int) gt.byteSize()];
                int rb = (int) gt.type().rowBytes(n);
                for (int r = 0; r < rows; r++) codec.quantizeRow(x, r * n, n, im, out, r * rb);
                byte[] expected = gold.tensorData(gt).toArray(ValueLayout.JAVA_BYTE);
                int diff = java.util.Arrays.mismatch(out, expected);
                if (diff >= 0) {
                    mismatches.add(gt.name() + " (" + gt.type() + (im != null ? ", imatrix" : "") + ") differs at byte "
                            + diff + " of " + expected.length + " (block "
                            + diff / gt.type().typeSize() + ")");
                }
                checked++;
            }
        }
        assertTrue(checked > 0, "no quantized tensor in " + name);
        assertEquals(List.of(), mismatches);
    }

    static float[] readF32(MemorySegment seg, int n) {
        float[] x = new float[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, x, 0, n);
        return x;
    }
}
