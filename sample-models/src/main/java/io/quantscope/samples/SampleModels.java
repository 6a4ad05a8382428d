package io.quantscope.samples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/** Where the app finds the model it opens on first start. */
public final class SampleModels {
    /** The trained sample model's file name, in {@code sample-models/} and in the jar next to this class. */
    public static final String FILE_NAME = "quantscope-stories.gguf";

    private SampleModels() {}

    /**
     * The bundled sample model as a file in {@code cacheDir} (GGUF files are memory-mapped, so it must be a file),
     * copied there from the jar on first use, or again when the jar carries a different one. The copy goes through a
     * temporary name, so an interrupted copy is never taken for the model.
     *
     * @throws IOException if the jar has no sample model or the folder cannot be written
     */
    public static Path defaultModel(Path cacheDir) throws IOException {
        byte[] bundled;
        try (InputStream in = SampleModels.class.getResourceAsStream(FILE_NAME)) {
            if (in == null) {
                throw new IOException("this build has no bundled sample model (" + FILE_NAME + ")");
            }
            bundled = in.readAllBytes();
        }
        Path file = cacheDir.resolve(FILE_NAME);
        if (Files.isRegularFile(file)
                && Files.size(file) == bundled.length
                && Arrays.equals(Files.readAllBytes(file), bundled)) {
            return file;
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, FILE_NAME, ".partial");
        try {
            Files.write(tmp, bundled);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }
}
