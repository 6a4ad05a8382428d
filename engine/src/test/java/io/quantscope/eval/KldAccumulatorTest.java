package io.quantscope.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The statistics against independent double-precision computations on random distributions. */
class KldAccumulatorTest {
    private static final int VOCAB = 300;

    private static float[] randomLogits(SplittableRandom r, float spread) {
        float[] l = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            l[i] = (float) (r.nextGaussian() * spread);
        }
        return l;
    }

    private static double[] logSoftmax(float[] l) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : l) max = Math.max(max, v);
        double s = 0;
        for (float v : l) s += Math.exp(v - max);
        double[] out = new double[l.length];
        for (int i = 0; i < l.length; i++) out[i] = l[i] - max - Math.log(s);
        return out;
    }

    private static KldAccumulator accumulate(float[][] base, float[][] variant, int[] next) {
        KldAccumulator acc = new KldAccumulator();
        short[] packed = new short[VOCAB];
        float[] header = new float[2];
        for (int p = 0; p < base.length; p++) {
            LogProbs.encode(base[p], 0, VOCAB, packed, 0, header, 0);
            acc.add(variant[p], 0, VOCAB, packed, 0, header[0], header[1], next[p]);
        }
        return acc;
    }

    /** Logits within 16 of the maximum are packed without clipping (llama.cpp floors anything lower). */
    @Test
    void aModelAgainstItselfHasNoDivergence() {
        SplittableRandom r = new SplittableRandom(1);
        float[][] base = new float[50][];
        int[] next = new int[50];
        for (int p = 0; p < 50; p++) {
            base[p] = randomLogits(r, 2);
            next[p] = r.nextInt(VOCAB);
        }
        VariantQuality q = accumulate(base, base, next).result("same");
        assertEquals(0, q.kldMean(), 1e-4, "packing to 16 bits costs at most its rounding");
        assertEquals(100, q.sameTopPPct(), 1e-9);
        assertEquals(1, q.pplRatio(), 1e-4);
        assertEquals(q.pplBase(), q.ppl(), 1e-3 * q.ppl());
    }

    @Test
    void figuresMatchADirectComputation() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 400;
        float[][] base = new float[n][];
        float[][] variant = new float[n][];
        int[] next = new int[n];
        double kldSum = 0;
        double nllSum = 0;
        double nllBaseSum = 0;
        int same = 0;
        double[] klds = new double[n];
        for (int p = 0; p < n; p++) {
            base[p] = randomLogits(r, 2.5f);
            variant[p] = base[p].clone();
            for (int i = 0; i < VOCAB; i++) {
                variant[p][i] += (float) (r.nextGaussian() * 0.3);
            }
            next[p] = r.nextInt(VOCAB);
            double[] lb = logSoftmax(base[p]);
            double[] lq = logSoftmax(variant[p]);
            double k = 0;
            int ab = 0;
            int aq = 0;
            for (int i = 0; i < VOCAB; i++) {
                k += Math.exp(lb[i]) * (lb[i] - lq[i]);
                if (lb[i] > lb[ab]) ab = i;
                if (lq[i] > lq[aq]) aq = i;
            }
            klds[p] = k;
            kldSum += k;
            nllSum -= lq[next[p]];
            nllBaseSum -= lb[next[p]];
            same += ab == aq ? 1 : 0;
        }
        VariantQuality q = accumulate(base, variant, next).result("v");
        assertEquals(n, q.positions());
        assertEquals(kldSum / n, q.kldMean(), 2e-3 * kldSum / n);
        assertEquals(Math.exp(nllSum / n), q.ppl(), 1e-5 * q.ppl());
        assertEquals(Math.exp(nllBaseSum / n), q.pplBase(), 1e-4 * q.pplBase());
        assertEquals(Math.exp((nllSum - nllBaseSum) / n), q.pplRatio(), 1e-4);
        assertEquals(100.0 * same / n, q.sameTopPPct(), 100.0 / n + 1e-9, "at most one 16-bit tie may differ");
        Arrays.sort(klds);
        assertEquals(klds[n - 1], q.kldMax(), 2e-3 * klds[n - 1]);
        assertEquals((klds[n / 2] + klds[n / 2 - 1]) / 2, q.kldMedian(), 2e-3 * klds[n / 2]);
        assertTrue(q.kldP90() <= q.kldP95() && q.kldP95() <= q.kldP99() && q.kldP99() <= q.kldP999());
        assertTrue(q.kldP999() <= q.kldMax() && q.kldMedian() <= q.kldP90());
    }

    @Test
    void percentilesInterpolateAsLlamaPerplexityDoes() {
        float[] sorted = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(0f, KldAccumulator.percentile(sorted, 11, 0f));
        assertEquals(10f, KldAccumulator.percentile(sorted, 11, 1f));
        assertEquals(9f, KldAccumulator.percentile(sorted, 11, 0.9f), 1e-5f);
        assertEquals(9.9f, KldAccumulator.percentile(sorted, 11, 0.99f), 1e-5f);
        assertEquals(5f, KldAccumulator.percentile(sorted, 11, 0.5f), 1e-5f);
    }
}
