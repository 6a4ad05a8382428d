package io.quantscope.app.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.convert.Cancellation;
import io.quantscope.eval.EvalReport;
import io.quantscope.eval.EvalSettings;
import io.quantscope.eval.Evaluator;
import io.quantscope.eval.QualityStore;
import io.quantscope.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardViewModelTest {
    @TempDir
    Path tmp;

    private final ModelCardViewModel vm = new ModelCardViewModel(BackgroundRunner.sameThread());

    @Test
    void opensAModelAndShowsItsCard() {
        vm.open(SharedFiles.require("golden/stories260K-wide-Q4_K_M.gguf"));
        assertNull(vm.errorProperty().get());
        assertFalse(vm.loadingProperty().get());
        assertEquals("llama", vm.titleProperty().get());
        assertEquals(48, vm.tensors().size());
        assertTrue(vm.facts().stream().anyMatch(f -> f[0].equals("File type") && f[1].equals("Q4_K_M")));
        assertTrue(vm.facts().stream().anyMatch(f -> f[0].equals("Parameters") && f[1].equals("4,197,120")));
    }

    @Test
    void aVariantsMeasuredQualityIsReloadedFromBesideIt() throws Exception {
        Path variant = Files.copy(SharedFiles.require("golden/stories260K-wide-Q4_0.gguf"), tmp.resolve("v-Q4_0.gguf"));
        vm.open(variant);
        assertTrue(vm.facts().stream().noneMatch(f -> f[0].equals("Measured quality")), "nothing measured yet");

        Path text = SharedFiles.require("data/tiny-stories-eval.txt");
        EvalReport r = new Evaluator(EvalSettings.of(128, 2))
                .run(
                        SharedFiles.require("models/stories260K-wide-f32.gguf"),
                        List.of(variant),
                        Files.readString(text),
                        "tiny-stories-eval.txt",
                        null,
                        Cancellation.none());
        QualityStore.save(r, List.of(variant));
        vm.open(variant);
        String line = vm.facts().stream()
                .filter(f -> f[0].equals("Measured quality"))
                .findFirst()
                .orElseThrow()[1];
        String ratio = String.format(
                java.util.Locale.ROOT,
                "×%.4f vs stories260K-wide-f32.gguf",
                r.variants().get(0).pplRatio());
        assertTrue(line.contains(ratio) && line.contains("tiny-stories-eval.txt, ctx 128"), line);
        assertFalse(line.contains("stale"), line);

        Files.setLastModifiedTime(
                variant, FileTime.fromMillis(Files.getLastModifiedTime(variant).toMillis() + 60_000));
        vm.open(variant);
        assertTrue(vm.facts().stream().anyMatch(f -> f[1].endsWith("(stale: the file changed since it was measured)")));
    }

    @Test
    void filtersTensorsByNameOrType() {
        vm.open(SharedFiles.require("golden/stories260K-wide-Q4_K_M.gguf"));
        vm.filterProperty().set("ffn_down");
        assertEquals(5, vm.tensors().size());
        vm.filterProperty().set("q6_k");
        assertTrue(vm.tensors().stream().allMatch(r -> r.type().equals("Q6_K")));
        assertTrue(vm.tensors().stream().anyMatch(r -> r.name().equals("output.weight")));
        vm.filterProperty().set("");
        assertEquals(48, vm.tensors().size());
    }

    @Test
    void aBadFileKeepsThePreviousCardAndSaysWhy() throws Exception {
        vm.open(SharedFiles.require("models/stories260K.gguf"));
        Path bad = Files.write(tmp.resolve("bad.gguf"), "not a model".getBytes());
        vm.open(bad);
        assertTrue(
                vm.errorProperty().get().contains("not a GGUF file"),
                vm.errorProperty().get());
        assertEquals(
                "stories260K.gguf", vm.cardProperty().get().path().getFileName().toString());
    }

    @Test
    void theSameBadFileTwiceIsReportedTwice() throws Exception {
        Path bad = Files.write(tmp.resolve("bad.gguf"), "not a model".getBytes());
        java.util.List<String> reported = new java.util.ArrayList<>();
        vm.errorProperty().addListener((obs, old, msg) -> {
            if (msg != null) reported.add(msg);
        });
        vm.open(bad);
        vm.open(bad);
        assertEquals(2, reported.size(), reported.toString());
    }
}
