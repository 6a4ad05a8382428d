package io.quantscope.app.variants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.concurrent.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

class VariantsViewModelTest {
    @TempDir
    Path tmp;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @BeforeAll
    static void toolkit() {
        try {
            Platform.startup(() -> {});
        } catch (IllegalStateException alreadyRunning) {
            // another test started it
        }
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void makesVariantsInTheWorkspaceAndFindsThemAgain() throws Exception {
        Path src = SharedFiles.require("models/stories260K-wide-f32.gguf");
        Path ws = tmp.resolve("ws");
        VariantsViewModel vm =
                WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(pool, ws)).get();
        List<Task<VariantInfo>> jobs = WaitForAsyncUtils.asyncFx(() -> vm.create(src, List.of("Q4_0", "Q6_K")))
                .get();
        assertEquals(2, jobs.size());
        for (Task<VariantInfo> j : jobs) {
            j.get(60, TimeUnit.SECONDS);
        }
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, vm.variants().size());
        Path q4 = ws.resolve("stories260K-wide-f32-Q4_0.gguf");
        assertEquals(Files.size(q4), vm.variants().getFirst().bytes());
        assertEquals(
                Files.size(SharedFiles.require("golden/stories260K-wide-Q4_0.gguf")),
                Files.size(q4),
                "the same bytes llama-quantize writes (sizes here; the hashes are checked by the golden tests)");
        assertTrue(vm.jobs().isEmpty());

        VariantsViewModel again =
                WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(pool, ws)).get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> again.variants().size() == 2);
        assertEquals("Q4_0", again.variants().getFirst().preset());
    }

    @Test
    void measuredQualityIsShownPerVariantAndFoundAgainAfterARestart() throws Exception {
        Path src = SharedFiles.require("models/stories260K-wide-f32.gguf");
        Path ws = tmp.resolve("ws");
        VariantsViewModel vm =
                WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(pool, ws)).get();
        VariantInfo q4 = WaitForAsyncUtils.asyncFx(
                        () -> vm.create(src, List.of("Q4_0")).getFirst())
                .get()
                .get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(vm.quality().isEmpty(), "nothing measured yet");
        var report = WaitForAsyncUtils.asyncFx(
                        () -> vm.measure(src, List.of(q4), SharedFiles.require("data/tiny-stories-eval.txt"), 128))
                .get()
                .get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        String shown = vm.quality().get(q4.path());
        assertEquals(
                String.format(
                        java.util.Locale.ROOT,
                        "KLD %.4f · top %.1f%%",
                        report.variants().getFirst().kldMean(),
                        report.variants().getFirst().sameTopPPct()),
                shown);

        VariantsViewModel again =
                WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(pool, ws)).get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> again.quality().containsKey(q4.path()));
        assertEquals(shown, again.quality().get(q4.path()), "read back from the quality record");
        Files.write(q4.path(), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        VariantsViewModel changed =
                WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(pool, ws)).get();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> changed.quality().containsKey(q4.path()));
        assertTrue(
                changed.quality().get(q4.path()).endsWith("(stale)"),
                changed.quality().get(q4.path()));
    }

    @Test
    void anImportanceMatrixFromTheBuiltInStoriesIsComputedOnceAndUsed() throws Exception {
        Path src = SharedFiles.require("models/stories260K-wide-f32.gguf");
        Path ws = tmp.resolve("ws");
        VariantsViewModel vm =
                WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(pool, ws)).get();
        WaitForAsyncUtils.asyncFx(() -> vm.imatrixModeProperty().set(VariantsViewModel.ImatrixMode.BUILT_IN))
                .get();
        var job = WaitForAsyncUtils.asyncFx(
                        () -> vm.create(src, List.of("Q4_K_M")).getFirst())
                .get();
        VariantInfo v = job.get(60, TimeUnit.SECONDS);
        assertEquals(ws.resolve("stories260K-wide-f32-imx-Q4_K_M.gguf"), v.path());
        Path imx = ws.resolve("stories260K-wide-f32.imatrix");
        assertEquals(
                35, io.quantscope.imatrix.ImportanceMatrix.read(imx).entries().size());
        try (var f = io.quantscope.gguf.GgufFile.open(v.path())) {
            assertEquals(
                    "stories260K-wide-f32.imatrix",
                    f.metadata().getString("quantize.imatrix.file").orElseThrow());
        }
    }

    @Test
    void aCancelledJobLeavesNothingBehind() throws Exception {
        Path src = SharedFiles.require("models/stories260K-wide-f32.gguf");
        Path ws = tmp.resolve("ws");
        ExecutorService held = Executors.newSingleThreadExecutor();
        try {
            VariantsViewModel vm = WaitForAsyncUtils.asyncFx(() -> new VariantsViewModel(held, ws))
                    .get();
            Task<VariantInfo> job = WaitForAsyncUtils.asyncFx(
                            () -> vm.create(src, List.of("Q2_K")).getFirst())
                    .get();
            WaitForAsyncUtils.asyncFx(() -> job.cancel()).get();
            held.shutdown();
            assertTrue(held.awaitTermination(30, TimeUnit.SECONDS));
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(vm.jobs().isEmpty());
            assertTrue(vm.variants().isEmpty());
            assertFalse(Files.exists(ws.resolve("stories260K-wide-f32-Q2_K.gguf")));
            assertFalse(Files.exists(ws.resolve("stories260K-wide-f32-Q2_K.gguf.partial")));
        } finally {
            held.shutdownNow();
        }
    }
}
