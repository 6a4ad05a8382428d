package io.quantscope.app.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
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
