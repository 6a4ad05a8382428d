package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * IQ4_NL: blocks of 32 weights as indices into a fixed non-linear 16-value grid with one fp16 scale (18 bytes) — the
 * type Q2_K and Q3_K fall back to on rows that are not a multiple of 256. As ggml {@code quantize_iq4_nl} (the
 * {@code quantize_row_iq4_nl_impl} search with 7 tries, with or without importance).
 */
public final class IQ4_NL implements BlockCodec {
    static final int QK = 32;
    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /** The non-linear level of 4-bit code {@code q} ({@code kvalues_iq4nl}). */
    public static int value(int q) {
        return VALUES[q];
    }

    private static final int NTRY = 7;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    static int bestIndex(float x) {
        if (x <= VALUES[0]) return 0;
        if (x >= VALUES[15]) return 15;
        int ml = 0;
        int mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (x < VALUES[mav]) mu = mav;
            else ml = mav;
        }
        return x - VALUES[mu - 1] < VALUES[mu] - x ? mu - 1 : mu;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        for (int ib = 0; ib < n / QK; ib++) {
            int b = xo + ib * QK;
            int o = oo + ib * 18;
            float sigma2 = 0;
            for (int j = 0; j < QK; ++j) sigma2 += x[b + j] * x[b + j];
            sigma2 *= 2.f / QK;
            for (int j = 0; j < QK; ++j) {
                float xv = x[b + j];
                weight[j] = imatrix != null ? imatrix[ib * QK + j] * (float) Math.sqrt(sigma2 + xv * xv) : xv * xv;
            }
            float amax = 0;
            float max = 0;
            for (int j = 0; j < QK; ++j) {
                float ax = Math.abs(x[b + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[b + j];
                }
            }
            float scale;
            if (amax < QuantSearch.GROUP_MAX_EPS) {
                scale = 0;
            } else {
                float d = -max / VALUES[0];
                float id = 1 / d;
                float sumqx = 0;
                float sumq2 = 0;
                for (int j = 0; j < QK; ++j) {
                    float al = id * x[b + j];
                    int l = bestIndex(al);
                    float q = VALUES[l];
                    float w = weight[j];
                    sumqx += w * q * x[b + j];
                    sumq2 += w * q * q;
                }
                d = sumqx / sumq2;
                float best = d * sumqx;
                for (int itry = -NTRY; itry <= NTRY; ++itry) {
                    id = (itry + VALUES[0]) / max;
                    sumqx = sumq2 = 0;
                    for (int j = 0; j < QK; ++j) {
                        float al = id * x[b + j];
                        int l = bestIndex(al);
                        float q = VALUES[l];
                        float w = weight[j];
                        sumqx += w * q * x[b + j];
                        sumq2 += w * q * q;
                    }
                    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                        d = sumqx / sumq2;
                        best = d * sumqx;
                    }
                }
                scale = d;
            }
            QuantMath.putShort(out, o, QuantMath.toF16(scale));
            float id = scale != 0 ? 1 / scale : 0;
            for (int j = 0; j < QK; ++j) {
                L[j] = (byte) bestIndex(id * x[b + j]);
            }
            for (int j = 0; j < 16; ++j) {
                out[o + 2 + j] = (byte) (L[j] | (L[16 + j] << 4));
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK; i++) {
            int o = io + i * 18;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            for (int j = 0; j < QK / 2; ++j) {
                int q = in[o + 2 + j] & 0xFF;
                y[yo + i * QK + j] = d * VALUES[q & 0xF];
                y[yo + i * QK + j + QK / 2] = d * VALUES[q >> 4];
            }
        }
    }
}
