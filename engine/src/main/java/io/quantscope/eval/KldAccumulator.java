package io.quantscope.eval;

import java.util.Arrays;

/**
 * Sums over scored positions of a variant against the base, as llama-perplexity's KL-divergence mode keeps them:
 * negative log-likelihoods of both, their cross product, KLD and Δp moments, same-top count, and every position's KLD
 * and Δp for the percentiles.
 */
final class KldAccumulator {
    private double sumNll;
    private double sumNll2;
    private double sumNllBase;
    private double sumNllBase2;
    private double sumNllNllBase;
    private double sumKld;
    private double sumKld2;
    private double sumDp;
    private double sumDp2;
    private double sumDp4;
    private int sameTop;
    private int count;
    private float[] klds = new float[1024];
    private float[] dps = new float[1024];

    /**
     * Adds one position: the variant's {@code logits[off .. off+n)} against the base's packed log-probabilities, with
     * {@code token} the text's next token.
     */
    void add(float[] logits, int off, int n, short[] base, int baseOff, float scale, float minLogProb, int token) {
        float max = logits[off];
        int imax = 0;
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > max) {
                max = logits[off + i];
                imax = i;
            }
        }
        float logSum = LogProbs.logSumExp(logits, off, n, max);
        float nll = max + logSum - logits[off + token];
        sumNll += nll;
        sumNll2 += nll * nll;
        float nllBase = -LogProbs.value(base, baseOff + token, scale, minLogProb);
        sumNllBase += nllBase;
        sumNllBase2 += nllBase * nllBase;
        sumNllNllBase += nll * nllBase;

        float norm = max + logSum;
        double kld = 0;
        int imaxBase = -1;
        float baseMax = 0;
        for (int i = 0; i < n; i++) {
            float lb = LogProbs.value(base, baseOff + i, scale, minLogProb);
            if (i == 0 || lb > baseMax) {
                baseMax = lb;
                imaxBase = i;
            }
            if (lb > -16f) {
                float pb = (float) Math.exp(lb);
                kld += pb * (lb - logits[off + i] + norm);
            }
        }
        sumKld += kld;
        sumKld2 += kld * kld;
        if (imax == imaxBase) {
            sameTop++;
        }
        float dp = (float) Math.exp(-nll) - (float) Math.exp(-nllBase);
        sumDp += dp;
        double dp2 = dp * dp;
        sumDp2 += dp2;
        sumDp4 += dp2 * dp2;
        if (count == klds.length) {
            klds = Arrays.copyOf(klds, count * 2);
            dps = Arrays.copyOf(dps, count * 2);
        }
        klds[count] = (float) kld;
        dps[count] = dp;
        count++;
    }

    int count() {
        return count;
    }

    double ppl() {
        return Math.exp(sumNll / count);
    }

    double meanKld() {
        return sumKld / count;
    }

    /** Mean and its standard error, as llama.cpp estimates them (0 for fewer than 11 values). */
    private static double[] meanAndError(double sum, double sum2, int count) {
        if (count < 1) {
            return new double[] {0, 0};
        }
        double f = sum / count;
        double df = sum2 / count - f * f;
        df = df > 0 && count > 10 ? Math.sqrt(df / (count - 1)) : 0;
        return new double[] {f, df};
    }

    private static double covariance(double a, double b, double ab, int count) {
        if (count < 10) {
            return 0;
        }
        return (ab / count - (a / count) * (b / count)) / (count - 1);
    }

    /** llama-perplexity's interpolated percentile over sorted values (a float fraction, as it uses). */
    static float percentile(float[] sorted, int n, float fraction) {
        if (fraction <= 0) {
            return sorted[0];
        }
        if (fraction >= 1) {
            return sorted[n - 1];
        }
        float p = fraction * (n - 1);
        int ip = (int) p;
        p -= ip;
        return (1 - p) * sorted[ip] + p * sorted[Math.min(ip + 1, n - 1)];
    }

    private static float median(float[] sorted, int n) {
        return n % 2 == 0 ? 0.5f * (sorted[n / 2] + sorted[n / 2 - 1]) : sorted[n / 2];
    }

    /** The figures for {@code file}, computed as llama-perplexity prints them. */
    VariantQuality result(String file) {
        if (count == 0) {
            throw new IllegalStateException("no positions were scored");
        }
        double[] logPpl = meanAndError(sumNll, sumNll2, count);
        double[] logBase = meanAndError(sumNllBase, sumNllBase2, count);
        double cov = covariance(sumNll, sumNllBase, sumNllNllBase, count);
        double lnRatio = logPpl[0] - logBase[0];
        double lnRatioErr = Math.sqrt(Math.max(0, logPpl[1] * logPpl[1] + logBase[1] * logBase[1] - 2 * cov));
        double[] kld = meanAndError(sumKld, sumKld2, count);
        double[] dp = meanAndError(sumDp, sumDp2, count);
        double[] mse = meanAndError(sumDp2, sumDp4, count);
        double rms = Math.sqrt(mse[0]);
        double rmsErr = rms > 0 ? 0.5 / rms * mse[1] : 0;
        double same = (double) sameTop / count;
        double sameErr = count > 1 ? Math.sqrt(same * (1 - same) / (count - 1)) : 0;
        float[] k = Arrays.copyOf(klds, count);
        float[] d = Arrays.copyOf(dps, count);
        Arrays.sort(k);
        Arrays.sort(d);
        double ppl = Math.exp(logPpl[0]);
        double pplBase = Math.exp(logBase[0]);
        double ratio = Math.exp(lnRatio);
        return new VariantQuality(
                file,
                count,
                ppl,
                ppl * logPpl[1],
                pplBase,
                ratio,
                ratio * lnRatioErr,
                lnRatio,
                kld[0],
                kld[1],
                k[count - 1],
                percentile(k, count, 0.999f),
                percentile(k, count, 0.99f),
                percentile(k, count, 0.95f),
                percentile(k, count, 0.90f),
                median(k, count),
                100 * same,
                100 * sameErr,
                100 * dp[0],
                100 * dp[1],
                100 * rms,
                100 * rmsErr,
                100 * Math.max(Math.abs(d[0]), Math.abs(d[count - 1])));
    }
}
