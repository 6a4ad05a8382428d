package io.quantscope.infer;

/**
 * Speed as llama-bench measures it: {@code pp} = one batch of {@code promptTokens} tokens from an empty cache,
 * {@code tg} = {@code genTokens} single-token steps; each repeated and averaged after one warm-up run.
 */
public final class Benchmark {
    private Benchmark() {}

    /** Tokens per second for prompt processing and generation, with their spread over repetitions. */
    public record Result(
            int promptTokens, int genTokens, int threads, double ppTokS, double ppStd, double tgTokS, double tgStd) {}

    public static Result run(Transformer model, int promptTokens, int genTokens, int threads, int repetitions) {
        int ctx = Math.max(promptTokens, genTokens) + 1;
        int vocab = model.vocabSize();
        double[] pp = new double[repetitions];
        double[] tg = new double[repetitions];
        for (int r = -1; r < repetitions; r++) {
            if (promptTokens > 0) {
                int[] tokens = new int[promptTokens];
                for (int i = 0; i < promptTokens; i++) {
                    tokens[i] = (i * 7919 + 1) % vocab;
                }
                Session s = model.session(ctx, threads);
                long t0 = System.nanoTime();
                s.decode(tokens, false);
                double secs = (System.nanoTime() - t0) / 1e9;
                if (r >= 0) {
                    pp[r] = promptTokens / secs;
                }
            }
            if (genTokens > 0) {
                Session s = model.session(ctx, threads);
                int token = 1 % vocab;
                long t0 = System.nanoTime();
                for (int i = 0; i < genTokens; i++) {
                    float[] logits = s.decode(new int[] {token}, false);
                    token = Sampler.argmax(logits, 0, vocab);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                if (r >= 0) {
                    tg[r] = genTokens / secs;
                }
            }
        }
        return new Result(promptTokens, genTokens, threads, mean(pp), std(pp), mean(tg), std(tg));
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    private static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
