package io.quantscope.analysis;

import io.quantscope.quant.QuantMath;

/**
 * How many weights took each value, at bfloat16 resolution (8 significant bits, values rounded to nearest even): a
 * 65,536-entry count table that any binning can be read from afterwards, merged across threads and tensors by adding.
 * The smallest and largest values are kept exactly.
 */
public final class ValueCounts {
    /** bf16 code of every f16 bit pattern, so F16 weights are counted by table lookup. */
    private static final char[] F16_TO_CODE = new char[65536];

    static {
        for (int h = 0; h < 65536; h++) {
            F16_TO_CODE[h] = (char) QuantMath.toBf16(Float.float16ToFloat((short) h));
        }
    }

    final long[] counts = new long[65536];
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long total;

    /**
     * Adds counts kept by f16 bit pattern ({@code f16Counts[bits]}, 65,536 entries), which is how F16 tensors are
     * counted: exactly, with no conversion per weight.
     */
    public void addF16Counts(long[] f16Counts) {
        for (int h = 0; h < 65536; h++) {
            long k = f16Counts[h];
            if (k == 0) {
                continue;
            }
            counts[F16_TO_CODE[h]] += k;
            float v = Float.float16ToFloat((short) h);
            if (!Float.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            total += k;
        }
    }

    /** Counts {@code x[0..n)}. */
    public void add(float[] x, int n) {
        float lo = min;
        float hi = max;
        for (int i = 0; i < n; i++) {
            float v = x[i];
            counts[QuantMath.toBf16(v) & 0xFFFF]++;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        min = lo;
        max = hi;
        total += n;
    }

    /** Adds {@code other}'s counts to these. */
    public void merge(ValueCounts other) {
        for (int i = 0; i < 65536; i++) {
            counts[i] += other.counts[i];
        }
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        total += other.total;
    }

    public long total() {
        return total;
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }

    static float value(int code) {
        return QuantMath.fromBf16((short) code);
    }

    /** Count, extremes, mean, standard deviation, excess kurtosis and share of exact zeros (from the counted values). */
    public WeightSummary summary() {
        long n = 0;
        double mean = 0;
        for (int c = 0; c < 65536; c++) {
            long k = counts[c];
            if (k != 0 && Float.isFinite(value(c))) {
                n += k;
                mean += k * (double) value(c);
            }
        }
        if (n == 0) {
            return new WeightSummary(0, 0, 0, 0, 0, 0, 0);
        }
        mean /= n;
        double m2 = 0;
        double m4 = 0;
        for (int c = 0; c < 65536; c++) {
            long k = counts[c];
            if (k != 0 && Float.isFinite(value(c))) {
                double d = value(c) - mean;
                double d2 = d * d;
                m2 += k * d2;
                m4 += k * d2 * d2;
            }
        }
        m2 /= n;
        m4 /= n;
        long zeros = counts[0] + counts[0x8000];
        double kurtosis = m2 > 0 ? m4 / (m2 * m2) - 3 : 0;
        return new WeightSummary(n, min, max, mean, Math.sqrt(m2), kurtosis, 100.0 * zeros / n);
    }
}
