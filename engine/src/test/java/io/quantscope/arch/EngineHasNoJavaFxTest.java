package io.quantscope.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The engine knows nothing of JavaFX: no compiled engine class refers to a {@code javafx/} type. */
class EngineHasNoJavaFxTest {
    @Test
    void engineClassesNeverReferToJavaFx() throws IOException, URISyntaxException {
        Path classes = Path.of(GgufFile.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(files.size() > 10, "found the engine's classes in " + classes);
        List<String> offenders = files.stream()
                .filter(p -> {
                    try {
                        return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains("javafx/");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .map(p -> classes.relativize(p).toString())
                .toList();
        assertEquals(List.of(), offenders);
    }
}
