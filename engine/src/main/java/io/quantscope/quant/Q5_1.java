package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q5_1: blocks of 32 weights as 5-bit levels with an fp16 scale and minimum (24 bytes). Without an importance matrix
 * as ggml {@code quantize_row_q5_1_ref}, with one as {@code quantize_row_q5_1_impl}.
 */
public final class Q5_1 implements BlockCodec {
    static final int QK = 32;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        if (imatrix != null) {
            quantizeWeighted(x, xo, n, imatrix, out, oo);
            return;
        }
        byte[] L = new byte[QK];
        for (int i = 0; i < n / QK; i++) {
            int b = xo + i * QK;
            int o = oo + i * 24;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = x[b + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / ((1 << 5) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            QuantMath.putShort(out, o + 2, QuantMath.toF16(min));
            for (int j = 0; j < QK; ++j) {
                L[j] = (byte) (int) ((x[b + j] - min) * id + 0.5f);
            }
            Q5_0.packFifthBits(L, out, o + 4, o + 8);
        }
    }

    private static void quantizeWeighted(float[] x, int xo, int n, float[] qw, byte[] out, int oo) {
        float sigma2 = QuantSearch.sumSquares(x, xo, n) / n;
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        byte[] Laux = new byte[QK];
        float[] min = new float[1];
        for (int ib = 0; ib < n / QK; ++ib) {
            int b = xo + ib * QK;
            int o = oo + ib * 24;
            QuantSearch.importanceWeights(qw, ib * QK, x, b, sigma2, weight, QK);
            float d = QuantSearch.makeQkxQuants(
                    true, QK, 31, x, b, weight, 0, L, 0, min, 0, Laux, -0.9f, 0.05f, 36, false);
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            QuantMath.putShort(out, o + 2, QuantMath.toF16(-min[0]));
            Q5_0.packFifthBits(L, out, o + 4, o + 8);
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK; i++) {
            int o = io + i * 24;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            float m = QuantMath.fromF16(QuantMath.getShort(in, o + 2));
            int qh = QuantMath.getInt(in, o + 4);
            for (int j = 0; j < QK / 2; ++j) {
                int q = in[o + 8 + j] & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yo + i * QK + j] = ((q & 0x0F) | h0) * d + m;
                y[yo + i * QK + j + QK / 2] = ((q >> 4) | h1) * d + m;
            }
        }
    }
}
