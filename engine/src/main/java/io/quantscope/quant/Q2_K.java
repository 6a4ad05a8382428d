package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q2_K: super-blocks of 256 weights in 16 groups of 16, 2-bit levels, 4-bit group scales and mins under fp16 d and
 * dmin (84 bytes: scales[16], qs[64], d, dmin). Without an importance matrix as ggml {@code quantize_row_q2_K_ref},
 * with one as {@code quantize_row_q2_K_impl}.
 */
public final class Q2_K implements BlockCodec {
    static final int QK_K = 256;
    static final int BYTES = 84;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        byte[] L = new byte[QK_K];
        byte[] Laux = new byte[16];
        float[] weights = new float[16];
        float[] mins = new float[QK_K / 16];
        float[] scales = new float[QK_K / 16];
        float[] sw = new float[QK_K / 16];
        byte[] Ls = new byte[QK_K / 16];
        byte[] Lm = new byte[QK_K / 16];
        for (int i = 0; i < n / QK_K; i++) {
            int b = xo + i * QK_K;
            int o = oo + i * BYTES;
            if (imatrix == null) {
                quantizeBlockRef(x, b, out, o, L, Laux, weights, mins, scales);
            } else {
                quantizeBlockWeighted(x, b, imatrix, i * QK_K, out, o, L, Laux, weights, mins, scales, sw, Ls, Lm);
            }
            requantizeAndPack(x, b, out, o, L);
        }
    }

    private static final ThreadLocal<float[]> LANE_WEIGHTS = ThreadLocal.withInitial(() -> new float[QK_K]);

    private static void quantizeBlockRef(
            float[] x, int b, byte[] out, int o, byte[] L, byte[] Laux, float[] weights, float[] mins, float[] scales) {
        final float q4scale = 15.f;
        float maxScale = 0;
        float maxMin = 0;
        if (QkxLanes.ENABLED) {
            float[] w = LANE_WEIGHTS.get();
            for (int e = 0; e < QK_K; ++e) w[e] = Math.abs(x[b + e]);
            for (int half = 0; half < 2; half++) {
                QkxLanes.run8(
                        16,
                        true,
                        3,
                        x,
                        b + 128 * half,
                        w,
                        128 * half,
                        L,
                        128 * half,
                        scales,
                        8 * half,
                        mins,
                        -0.5f,
                        0.1f,
                        15);
            }
        }
        for (int j = 0; j < QK_K / 16; ++j) {
            if (!QkxLanes.ENABLED) {
                for (int l = 0; l < 16; ++l) weights[l] = Math.abs(x[b + 16 * j + l]);
                scales[j] = QuantSearch.makeQkxQuants(
                        false, 16, 3, x, b + 16 * j, weights, 0, L, 16 * j, mins, j, Laux, -0.5f, 0.1f, 15, true);
            }
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        if (maxScale > 0) {
            float iscale = q4scale / maxScale;
            for (int j = 0; j < QK_K / 16; ++j) {
                out[o + j] = (byte) QuantMath.nearestInt(iscale * scales[j]);
            }
            QuantMath.putShort(out, o + 80, QuantMath.toF16(maxScale / q4scale));
        } else {
            for (int j = 0; j < QK_K / 16; ++j) out[o + j] = 0;
            QuantMath.putShort(out, o + 80, QuantMath.toF16(0.f));
        }
        if (maxMin > 0) {
            float iscale = q4scale / maxMin;
            for (int j = 0; j < QK_K / 16; ++j) {
                int l = QuantMath.nearestInt(iscale * mins[j]);
                out[o + j] |= (byte) (l << 4);
            }
            QuantMath.putShort(out, o + 82, QuantMath.toF16(maxMin / q4scale));
        } else {
            QuantMath.putShort(out, o + 82, QuantMath.toF16(0.f));
        }
    }

    private static void quantizeBlockWeighted(
            float[] x,
            int b,
            float[] qwAll,
            int qwo,
            byte[] out,
            int o,
            byte[] L,
            byte[] Laux,
            float[] weight,
            float[] mins,
            float[] scales,
            float[] sw,
            byte[] Ls,
            byte[] Lm) {
        java.util.Arrays.fill(sw, 0);
        float sigma2 = QuantSearch.sumSquares(x, b, QK_K) / QK_K;
        for (int j = 0; j < QK_K / 16; ++j) {
            QuantSearch.importanceWeights(qwAll, qwo + 16 * j, x, b + 16 * j, sigma2, weight, 16);
            for (int l = 0; l < QK_K / 16; ++l) sw[j] += weight[l];
            scales[j] = QuantSearch.makeQkxQuants(
                    true, 16, 3, x, b + 16 * j, weight, 0, L, 16 * j, mins, j, Laux, -0.9f, 0.05f, 36, false);
        }
        float dm = QuantSearch.makeQpQuants(QK_K / 16, 15, scales, Ls, sw);
        float mm = QuantSearch.makeQpQuants(QK_K / 16, 15, mins, Lm, sw);
        QuantMath.putShort(out, o + 80, QuantMath.toF16(dm));
        QuantMath.putShort(out, o + 82, QuantMath.toF16(mm));
        for (int j = 0; j < QK_K / 16; ++j) {
            out[o + j] = (byte) (Ls[j] | (Lm[j] << 4));
        }
    }

    /** Re-derives the levels from the fp16-rounded scales, then packs four 2-bit levels per byte. */
    private static void requantizeAndPack(float[] x, int b, byte[] out, int o, byte[] L) {
        float dAll = QuantMath.fromF16(QuantMath.getShort(out, o + 80));
        float mAll = QuantMath.fromF16(QuantMath.getShort(out, o + 82));
        for (int j = 0; j < QK_K / 16; ++j) {
            int sc = out[o + j] & 0xFF;
            float d = dAll * (sc & 0xF);
            if (d == 0) continue;
            float dm = mAll * (sc >> 4);
            for (int ii = 0; ii < 16; ++ii) {
                int l = QuantMath.nearestInt((x[b + 16 * j + ii] + dm) / d);
                L[16 * j + ii] = (byte) Math.max(0, Math.min(3, l));
            }
        }
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; ++l) {
                out[o + 16 + j / 4 + l] =
                        (byte) (L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK_K; i++) {
            int o = io + i * BYTES;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o + 80));
            float min = QuantMath.fromF16(QuantMath.getShort(in, o + 82));
            int q = o + 16;
            int is = 0;
            int y0 = yo + i * QK_K;
            for (int nn = 0; nn < QK_K; nn += 128) {
                int shift = 0;
                for (int j = 0; j < 4; ++j) {
                    int sc = in[o + is++] & 0xFF;
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >> 4);
                    for (int l = 0; l < 16; ++l) y[y0++] = dl * ((in[q + l] >> shift) & 3) - ml;
                    sc = in[o + is++] & 0xFF;
                    dl = d * (sc & 0xF);
                    ml = min * (sc >> 4);
                    for (int l = 0; l < 16; ++l) y[y0++] = dl * ((in[q + l + 16] >> shift) & 3) - ml;
                    shift += 2;
                }
                q += 32;
            }
        }
    }
}
