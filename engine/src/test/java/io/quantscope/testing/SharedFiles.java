package io.quantscope.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared reference folder ({@code ../shared} beside the repository): models, llama.cpp goldens and data. Tests
 * that need it call {@link #require()}: in CI a missing folder fails the test, elsewhere it skips with a message.
 */
public final class SharedFiles {
    private SharedFiles() {}

    public static Path require() {
        Path root = locate();
        String why = "../shared (the reference models and llama.cpp goldens) is not beside the repository";
        if (root == null) {
            if (System.getenv("CI") != null) {
                fail(why + "; CI must have it");
            }
            assumeTrue(false, why + "; skipping");
        }
        return root;
    }

    public static Path require(String relative) {
        Path p = require().resolve(relative);
        if (!Files.exists(p)) {
            fail("missing shared file " + p);
        }
        return p;
    }

    /** Every .gguf in shared/models and shared/golden. */
    public static List<Path> allGgufFiles() {
        Path root = require();
        try (Stream<Path> a = Files.list(root.resolve("models"));
                Stream<Path> b = Files.list(root.resolve("golden"))) {
            return Stream.concat(a, b)
                    .filter(p -> p.getFileName().toString().endsWith(".gguf"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path locate() {
        String prop = System.getProperty("quantscope.shared");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("golden"))) {
                return candidate;
            }
        }
        return null;
    }
}
