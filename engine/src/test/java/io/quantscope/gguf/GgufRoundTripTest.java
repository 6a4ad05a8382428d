package io.quantscope.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quantscope.testing.GgufFixtures;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> rewritingEverySharedFileGivesIdenticalBytes() {
        List<Path> files = SharedFiles.allGgufFiles();
        return files.stream()
                .map(src -> DynamicTest.dynamicTest(src.getFileName().toString(), () -> {
                    Path out = tmp.resolve(src.getFileName());
                    copyThroughWriter(src, out);
                    assertEquals(-1L, Files.mismatch(src, out), "first differing byte");
                    assertFalse(Files.exists(GgufWriter.partialPath(out)), "partial file left behind");
                }));
    }

    @Test
    void readsTheWideModelsTensorTable() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K-wide-f32.gguf"))) {
            assertEquals(48, f.tensors().size());
            assertEquals(4_197_120L, f.parameterCount());
            assertEquals(3, f.version());
            assertEquals("llama", f.metadata().architecture().orElseThrow());
            assertEquals(256, f.metadata().getLong("llama.embedding_length").orElseThrow());
            assertEquals(
                    512,
                    f.metadata().getArray("tokenizer.ggml.tokens").orElseThrow().length());
            GgufTensorInfo down = f.tensor("blk.0.ffn_down.weight").orElseThrow();
            assertArrayEquals(new long[] {768, 256}, down.ne());
            assertEquals(768L * 256 * 4, f.tensorData(down).byteSize());
        }
    }

    @Test
    void roundTripsEveryMetadataValueTypeIncludingArraysOfArrays() throws IOException {
        GgufMetadata md = GgufFixtures.everyValueType();
        Path a = GgufFixtures.write(tmp.resolve("a.gguf"), md, GgufFixtures.someTensors());
        try (GgufFile f = GgufFile.open(a)) {
            assertEquals(md, f.metadata());
            assertEquals(List.copyOf(md.keys()), List.copyOf(f.metadata().keys()));
            assertEquals("héllo ▁wörld 🦙", f.metadata().getString("t.string").orElseThrow());
            assertEquals(-1L, f.metadata().getLong("t.u64").orElseThrow());
            GgufArray nested = f.metadata().getArray("t.arr.nested").orElseThrow();
            assertEquals(GgufValueType.ARRAY, nested.elementType());
            assertEquals(3, nested.length());
            assertEquals(GgufFixtures.someTensors().size(), f.tensors().size());
            for (int i = 0; i < f.tensors().size(); i++) {
                GgufTensorInfo t = f.tensors().get(i);
                assertEquals(0, t.offset() % 32, "aligned " + t.name());
                assertEquals(
                        GgufFixtures.pattern(t.byteSize(), i), f.tensorData(t).asByteBuffer());
            }
            Path b = tmp.resolve("b.gguf");
            copyThroughWriter(a, b);
            assertEquals(-1L, Files.mismatch(a, b));
        }
    }

    @Test
    void honoursACustomAlignment() throws IOException {
        GgufMetadata md = GgufMetadata.builder()
                .put(GgufMetadata.ALIGNMENT, GgufValue.ofUint32(64))
                .build();
        Path a = GgufFixtures.write(tmp.resolve("a64.gguf"), md, GgufFixtures.someTensors());
        try (GgufFile f = GgufFile.open(a)) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            f.tensors().forEach(t -> assertEquals(0, t.offset() % 64, t.name()));
            assertEquals(0, Files.size(a) % 64);
        }
    }

    @Test
    void anUncommittedWriteLeavesNothingBehind() throws IOException {
        Path out = tmp.resolve("never.gguf");
        GgufLayout layout = GgufLayout.of(3, GgufMetadata.empty(), GgufFixtures.someTensors());
        try (GgufWriter w = GgufWriter.create(out, layout)) {
            w.write(GgufFixtures.pattern(layout.tensors().getFirst().byteSize(), 0));
            assertEquals(true, Files.exists(GgufWriter.partialPath(out)));
        }
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(GgufWriter.partialPath(out)));
    }

    @Test
    void layoutPredictsTheExactFileSize() throws IOException {
        GgufLayout layout = GgufLayout.of(3, GgufFixtures.everyValueType(), GgufFixtures.someTensors());
        Path a =
                GgufFixtures.write(tmp.resolve("size.gguf"), GgufFixtures.everyValueType(), GgufFixtures.someTensors());
        assertEquals(layout.fileSize(), Files.size(a));
    }

    /** Reads {@code src} and writes it back with the streaming writer, tensor by tensor in table order. */
    static void copyThroughWriter(Path src, Path out) throws IOException {
        try (GgufFile f = GgufFile.open(src);
                GgufWriter w = GgufWriter.create(out, GgufLayout.of(f.header()))) {
            for (GgufTensorInfo t : f.tensors()) {
                w.write(f.tensorData(t));
            }
            w.commit();
        }
    }
}
