package io.quantscope.samples;

import io.quantscope.convert.Cancellation;
import io.quantscope.model.ModelShape;
import io.quantscope.model.SyntheticModel;
import io.quantscope.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The placeholder sample model: a small, deterministic {@code llama}-shaped model with random weights (see
 * {@link SyntheticModel}). It has the shape of a real model, so every screen of the app has something to show, but it
 * has not been trained: its text is noise. The trained sample model replaces it (#8).
 *
 * <p>Shape: dim 256, ffn 768, 2 layers, 8 heads, 4 KV heads, vocabulary 512, context 256; matrices F16, norms F32.
 * Every matrix row is a multiple of 256, so every K-quant applies.
 */
public final class SyntheticSampleModel {
    public static final String FILE_NAME = "quantscope-sample-synthetic.gguf";
    static final ModelShape SHAPE = new ModelShape("Quantscope synthetic sample", 2, 256, 768, 8, 4, 512, 256, false);
    static final long SEED = 20261123L;

    private SyntheticSampleModel() {}

    /** Returns the sample model in {@code dir}, writing it first if it is not there. */
    public static Path ensure(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(dir);
            SyntheticModel.write(file, SHAPE, GgmlType.F16, SEED, Cancellation.none());
        }
        return file;
    }
}
