package io.quantscope.eval;

/**
 * One chunk done.
 *
 * @param variant index of the variant being measured (0 when only the base is run)
 * @param variants how many variants there are (0 when only the base is run)
 * @param file the file being measured
 * @param chunk chunks done for this file
 * @param chunks chunks per file
 * @param ppl the file's perplexity so far
 * @param kldMean mean KLD so far (NaN when only the base is run)
 */
public record EvalProgress(int variant, int variants, String file, int chunk, int chunks, double ppl, double kldMean) {
    /** Share of the whole evaluation done, 0–1. */
    public double fraction() {
        int files = Math.max(1, variants);
        return (variant * (double) chunks + chunk) / (files * (double) chunks);
    }
}
