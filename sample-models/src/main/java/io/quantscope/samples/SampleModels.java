package io.quantscope.samples;

import java.io.IOException;
import java.nio.file.Path;

/** Where the app finds the model it opens on first start. */
public final class SampleModels {
    private SampleModels() {}

    /**
     * The bundled sample model as a file in {@code cacheDir} (GGUF files are memory-mapped, so it must be a file),
     * created there on first use.
     */
    public static Path defaultModel(Path cacheDir) throws IOException {
        return SyntheticSampleModel.ensure(cacheDir);
    }
}
