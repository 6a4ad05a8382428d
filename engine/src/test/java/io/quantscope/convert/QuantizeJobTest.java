package io.quantscope.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.model.ModelShape;
import io.quantscope.model.SyntheticModel;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import io.quantscope.tensor.GgmlType;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeJobTest {
    @TempDir
    Path tmp;

    private static final Path WIDE = Path.of("models/stories260K-wide-f32.gguf");

    @Test
    void reportsProgressUpToTheWholeFile() throws IOException {
        List<QuantizeProgress> seen = new ArrayList<>();
        Path out = tmp.resolve("q.gguf");
        QuantizeJob.run(
                SharedFiles.require(WIDE.toString()),
                out,
                QuantizeOptions.of(Preset.Q6_K),
                2,
                seen::add,
                Cancellation.none());
        QuantizeProgress last = seen.getLast();
        assertEquals(48, last.tensorCount());
        assertEquals(47, last.tensorIndex());
        assertEquals(Files.size(out), last.bytesDone());
        assertEquals(last.bytesTotal(), last.bytesDone());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).bytesDone() >= seen.get(i - 1).bytesDone(), "monotonic");
        }
    }

    @Test
    void cancellingLeavesNothingBehind() throws IOException {
        Path out = tmp.resolve("cancelled.gguf");
        Cancellation cancel = new Cancellation();
        assertThrows(
                CancellationException.class,
                () -> QuantizeJob.run(
                        SharedFiles.require(WIDE.toString()),
                        out,
                        QuantizeOptions.of(Preset.Q4_K_M),
                        2,
                        p -> {
                            if (p.tensorIndex() == 10) cancel.cancel();
                        },
                        cancel));
        assertEquals(List.of(), listing());
    }

    @Test
    void aPresetThatCannotApplyWritesNothing() throws IOException {
        Path out = tmp.resolve("q4_0.gguf");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> QuantizeJob.run(
                        SharedFiles.require("models/stories260K.gguf"),
                        out,
                        QuantizeOptions.of(Preset.Q4_0),
                        2,
                        QuantizeProgress.Listener.none(),
                        Cancellation.none()));
        assertTrue(e.getMessage().contains("blk.0.ffn_down.weight"), e.getMessage());
        assertEquals(List.of(), listing());
    }

    @Test
    void refusesToOverwriteItsInput() throws IOException {
        Path src = tmp.resolve("src.gguf");
        Files.copy(SharedFiles.require(WIDE.toString()), src);
        byte[] before = Files.readAllBytes(src);
        assertThrows(
                IllegalArgumentException.class,
                () -> QuantizeJob.run(
                        src,
                        tmp.resolve(".").resolve("src.gguf"),
                        QuantizeOptions.of(Preset.Q8_0),
                        1,
                        QuantizeProgress.Listener.none(),
                        Cancellation.none()));
        assertEquals(-1, java.util.Arrays.mismatch(before, Files.readAllBytes(src)));
    }

    @Test
    void threadCountDoesNotChangeTheBytesAndF16SourcesWork() throws IOException {
        Path src = tmp.resolve("synth-f16.gguf");
        SyntheticModel.write(
                src, new ModelShape("t", 2, 256, 512, 4, 2, 300, 128, false), GgmlType.F16, 7, Cancellation.none());
        Path one = tmp.resolve("one.gguf");
        Path two = tmp.resolve("two.gguf");
        QuantizeOptions opt = QuantizeOptions.of(Preset.Q3_K_M);
        QuantizeJob.run(src, one, opt, 1, QuantizeProgress.Listener.none(), Cancellation.none());
        QuantizeJob.run(src, two, opt, 3, QuantizeProgress.Listener.none(), Cancellation.none());
        assertEquals(-1L, Files.mismatch(one, two));
        try (GgufFile f = GgufFile.open(one)) {
            assertEquals(
                    GgmlType.Q5_K, f.tensor("blk.0.attn_v.weight").orElseThrow().type());
            assertEquals(12L, f.metadata().getLong("general.file_type").orElseThrow());
        }
    }

    @Test
    void requantizingNeedsPermission() throws IOException {
        Path q8 = SharedFiles.require("golden/stories260K-wide-Q8_0.gguf");
        Path out = tmp.resolve("re.gguf");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> QuantizeJob.run(
                        q8,
                        out,
                        QuantizeOptions.of(Preset.Q4_K_M),
                        1,
                        QuantizeProgress.Listener.none(),
                        Cancellation.none()));
        assertTrue(e.getMessage().contains("--allow-requantize"), e.getMessage());
        QuantizeOptions allow =
                new QuantizeOptions(Preset.Q4_K_M, null, null, false, null, null, false, true, List.of());
        QuantizeJob.run(q8, out, allow, 2, QuantizeProgress.Listener.none(), Cancellation.none());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(
                    GgmlType.Q4_K, f.tensor("blk.1.attn_q.weight").orElseThrow().type());
        }
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("src")).toList();
        }
    }
}
