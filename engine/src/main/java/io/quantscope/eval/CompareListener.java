package io.quantscope.eval;

import io.quantscope.infer.TokenEvent;

/**
 * Hears a comparison as it runs. Model 0 is the base, 1.. the variants in the order given. Calls for different
 * variants may come from different threads at the same time.
 */
public interface CompareListener {
    /** A model produced a token. */
    void token(int model, TokenEvent event);

    /** A model is done (its continuation and, for variants, its divergence from the base). */
    default void finished(int model, ModelRun run) {}
}
