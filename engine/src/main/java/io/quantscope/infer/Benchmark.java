package io.quantscope.infer;

/**
 * Speed as llama-bench measures it: {@code pp} = one batch of {@code promptTokens} tokens from an empty cache,
 * {@code tg} = {@code genTokens} single-token steps; each repeated and averaged after warm-up rounds.
 *
 * <p>llama-bench runs one warm-up round, which is enough for compiled C. A JVM is still compiling its hot loops
 * after one round (C2 finishes the last kernels 7-8 s after start on a 1.1B model), so one round would measure
 * part of the compilation. By default the warm-up therefore repeats until two consecutive rounds agree within
 * {@link #STEADY_TOLERANCE} in both pp and tg (at least {@link #MIN_AUTO_WARMUP}, at most
 * {@link #MAX_AUTO_WARMUP} rounds): the figures are the engine's steady state, as JMH reports it, and the rounds
 * it took are reported beside them.
 */
public final class Benchmark {
    /** Consecutive warm-up rounds whose pp and tg differ by at most this fraction are taken as steady. */
    public static final double STEADY_TOLERANCE = 0.05;

    public static final int MIN_AUTO_WARMUP = 2;
    public static final int MAX_AUTO_WARMUP = 8;

    /** Warm-up until steady; any other value of {@code warmup} is an exact number of rounds. */
    public static final int AUTO_WARMUP = -1;

    private Benchmark() {}

    /**
     * Tokens per second for prompt processing and generation, with their spread over repetitions, and the
     * warm-up rounds run before them.
     */
    public record Result(
            int promptTokens,
            int genTokens,
            int threads,
            double ppTokS,
            double ppStd,
            double tgTokS,
            double tgStd,
            int warmupRounds) {}

    /**
     * @param warmup rounds to run before measuring, or {@link #AUTO_WARMUP} to run them until steady
     */
    public static Result run(
            Transformer model, int promptTokens, int genTokens, int threads, int repetitions, int warmup) {
        if (warmup < 0 && warmup != AUTO_WARMUP) {
            throw new IllegalArgumentException("warm-up rounds must be >= 0 or AUTO_WARMUP, got " + warmup);
        }
        int ctx = Math.max(promptTokens, genTokens) + 1;
        int rounds = 0;
        double[] previous = null;
        while (warmup == AUTO_WARMUP ? rounds < MAX_AUTO_WARMUP : rounds < warmup) {
            double[] now = round(model, promptTokens, genTokens, threads, ctx);
            rounds++;
            if (warmup == AUTO_WARMUP && rounds >= MIN_AUTO_WARMUP && steady(previous, now, STEADY_TOLERANCE)) {
                break;
            }
            previous = now;
        }
        double[] pp = new double[repetitions];
        double[] tg = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            double[] now = round(model, promptTokens, genTokens, threads, ctx);
            pp[r] = now[0];
            tg[r] = now[1];
        }
        return new Result(promptTokens, genTokens, threads, mean(pp), std(pp), mean(tg), std(tg), rounds);
    }

    /**
     * Whether two rounds' figures ({pp, tg} tokens/s; 0 = not measured) agree within {@code tolerance}, relative
     * to the larger of each pair. A missing previous round is never steady.
     */
    static boolean steady(double[] previous, double[] now, double tolerance) {
        if (previous == null) {
            return false;
        }
        for (int i = 0; i < now.length; i++) {
            double hi = Math.max(previous[i], now[i]);
            if (hi > 0 && Math.abs(previous[i] - now[i]) > tolerance * hi) {
                return false;
            }
        }
        return true;
    }

    /** One pp round and one tg round, each from an empty cache: {pp tok/s, tg tok/s}, 0 where not asked for. */
    private static double[] round(Transformer model, int promptTokens, int genTokens, int threads, int ctx) {
        int vocab = model.vocabSize();
        double pp = 0;
        double tg = 0;
        if (promptTokens > 0) {
            int[] tokens = new int[promptTokens];
            for (int i = 0; i < promptTokens; i++) {
                tokens[i] = (i * 7919 + 1) % vocab;
            }
            Session s = model.session(ctx, threads);
            long t0 = System.nanoTime();
            s.decode(tokens, false);
            pp = promptTokens / ((System.nanoTime() - t0) / 1e9);
        }
        if (genTokens > 0) {
            Session s = model.session(ctx, threads);
            int token = 1 % vocab;
            long t0 = System.nanoTime();
            for (int i = 0; i < genTokens; i++) {
                float[] logits = s.decode(new int[] {token}, false);
                token = Sampler.argmax(logits, 0, vocab);
            }
            tg = genTokens / ((System.nanoTime() - t0) / 1e9);
        }
        return new double[] {pp, tg};
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
