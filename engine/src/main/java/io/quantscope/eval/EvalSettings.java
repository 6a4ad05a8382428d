package io.quantscope.eval;

/**
 * How to evaluate.
 *
 * @param ctx tokens per chunk (llama-perplexity's {@code -c})
 * @param threads compute threads
 * @param baseCacheBytes memory allowed for keeping the base's packed log-probabilities between variants; chunks beyond
 *     it are recomputed for every variant
 */
public record EvalSettings(int ctx, int threads, long baseCacheBytes) {
    public static final long DEFAULT_BASE_CACHE = 256L << 20;

    public EvalSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
        if (baseCacheBytes < 0) {
            throw new IllegalArgumentException("the base cache cannot be negative");
        }
    }

    public static EvalSettings of(int ctx, int threads) {
        return new EvalSettings(ctx, threads, DEFAULT_BASE_CACHE);
    }
}
