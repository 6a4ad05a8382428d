package io.quantscope.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QualityStoreTest {
    @TempDir
    Path dir;

    private static VariantQuality quality(String file) {
        return new VariantQuality(
                file, 504, 4.7, 0.3, 4.39, 1.07, 0.01, 0.07, 0.099, 0.004, 1.36, 1.2, 0.58, 0.3, 0.2, 0.05, 82.1, 1.7,
                -1.2, 0.4, 11.2, 0.6, 60);
    }

    @Test
    void aRecordSurvivesAReloadAndGoesStaleWhenTheVariantChanges() throws IOException {
        Path v = Files.write(dir.resolve("model-Q4_0.gguf"), new byte[] {1, 2, 3});
        EvalReport report = new EvalReport(
                "eval.txt",
                "abc",
                1149,
                128,
                8,
                new BaseQuality("model-f32.gguf", 504, 4.39, 0.33),
                List.of(quality("model-Q4_0.gguf")),
                1.5);
        List<Path> saved = QualityStore.save(report, List.of(v));
        assertEquals(List.of(dir.resolve("model-Q4_0.quality.json")), saved);
        assertFalse(Files.exists(dir.resolve("model-Q4_0.quality.json.partial")));
        assertTrue(Files.readString(saved.get(0)).contains("\"kld_mean\" : 0.099"), "snake_case JSON");

        QualityRecord r = QualityStore.load(v).orElseThrow();
        assertEquals(quality("model-Q4_0.gguf"), r.quality());
        assertEquals("model-f32.gguf", r.base());
        assertEquals(4.39, r.basePpl());
        assertEquals(128, r.ctx());
        assertTrue(QualityStore.isCurrent(r, v));

        Files.write(v, new byte[] {1, 2, 3, 4});
        assertFalse(QualityStore.isCurrent(r, v), "the file grew");
        Files.write(v, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(v, FileTime.fromMillis(r.variantModifiedMillis() + 5000));
        assertFalse(QualityStore.isCurrent(r, v), "the file was rewritten");
    }

    @Test
    void noRecordIsEmptyAndABrokenOneIsAnError() throws IOException {
        Path v = Files.write(dir.resolve("x.gguf"), new byte[] {1});
        assertTrue(QualityStore.load(v).isEmpty());
        Files.writeString(dir.resolve("x.quality.json"), "{ not json");
        IOException e = assertThrows(IOException.class, () -> QualityStore.load(v));
        assertTrue(e.getMessage().startsWith("x.quality.json is not a quality record"), e.getMessage());
    }
}
