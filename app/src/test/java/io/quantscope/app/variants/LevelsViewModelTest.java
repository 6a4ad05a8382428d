package io.quantscope.app.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.analysis.KvType;
import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LevelsViewModelTest {
    @TempDir
    Path tmp;

    private final LevelsViewModel vm = new LevelsViewModel(BackgroundRunner.sameThread(), 16L << 30);

    @Test
    void laddersEveryPresetAndFollowsTheMemoryControls() {
        vm.load(SharedFiles.require("models/stories260K-wide-f32.gguf"));
        assertFalse(vm.loadingProperty().get());
        assertEquals(14, vm.rows().size());
        assertEquals("Q2_K", vm.rows().getFirst().preset(), "lowest bits first");
        LevelRow q8 = vm.rows().getLast();
        assertEquals("Q8_0", q8.preset());
        assertTrue(vm.rows().stream().allMatch(r -> r.snrDb() <= q8.snrDb()), "Q8_0 has the best estimate");
        assertEquals("Q4_K_M", vm.selectedProperty().get());
        assertEquals(2048, vm.maxCtx(), "the model's context length");

        vm.ctxProperty().set(1024);
        long kv1024 = vm.memoryProperty().get().kvBytes();
        vm.ctxProperty().set(2048);
        assertEquals(2 * kv1024, vm.memoryProperty().get().kvBytes());
        vm.kvTypeProperty().set(KvType.Q8_0);
        assertEquals(2 * kv1024 * 34 / 64, vm.memoryProperty().get().kvBytes());

        vm.selectedProperty().set("Q8_0");
        assertEquals(q8.weightsBytes(), vm.memoryProperty().get().weightsBytes());
        assertEquals("fits", vm.verdict(q8));
        vm.budgetProperty().set(new LevelsViewModel.Budget("tiny", 100L << 20));
        assertEquals("does not fit", vm.verdict(q8), "the fixed runtime allowance alone is 256 MiB");
        assertEquals(
                "does not fit", vm.memoryProperty().get().verdicts().getLast().verdict());
    }

    @Test
    void aQuantizedModelSaysWhyThereIsNoLadder() {
        vm.load(SharedFiles.require("golden/stories260K-wide-Q4_0.gguf"));
        assertTrue(vm.rows().isEmpty());
        assertTrue(
                vm.statusProperty().get().contains("needs an F32, F16 or BF16 model"),
                vm.statusProperty().get());
    }

    @Test
    void aMeasuredVariantBesideTheModelIsFound() throws Exception {
        Path src = Files.copy(SharedFiles.require("models/stories260K-wide-f32.gguf"), tmp.resolve("m.gguf"));
        assertTrue(LevelsViewModel.measured(src, "Q4_0", null).isEmpty());
        Path v = Files.copy(SharedFiles.require("golden/stories260K-wide-Q4_0.gguf"), tmp.resolve("m-Q4_0.gguf"));
        var r = new io.quantscope.eval.Evaluator(io.quantscope.eval.EvalSettings.of(128, 2))
                .run(
                        src,
                        java.util.List.of(v),
                        Files.readString(SharedFiles.require("data/tiny-stories-eval.txt")),
                        "t",
                        null,
                        io.quantscope.convert.Cancellation.none());
        io.quantscope.eval.QualityStore.save(r, java.util.List.of(v));
        LevelRow.Measured m = LevelsViewModel.measured(src, "Q4_0", null).orElseThrow();
        assertEquals(r.variants().getFirst().kldMean(), m.kldMean(), 0);
        assertTrue(m.current());
    }
}
