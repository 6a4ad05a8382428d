package io.quantscope.app.variants;

import java.util.Optional;

/**
 * One preset on the ladder.
 *
 * @param bytes the variant's exact file size (from the plan)
 * @param weightsBytes its tensor data
 * @param snrDb expected signal-to-noise ratio of the weights (from quantization error on sampled rows)
 * @param measured what {@code eval} measured on a variant of this preset found beside the model, if any
 */
public record LevelRow(
        String preset,
        String description,
        long bytes,
        long weightsBytes,
        double bitsPerWeight,
        double snrDb,
        double relErrPct,
        Optional<Measured> measured) {

    /** Measured quality of a built variant. */
    public record Measured(String file, double kldMean, double sameTopPct, double pplRatio, boolean current) {}
}
