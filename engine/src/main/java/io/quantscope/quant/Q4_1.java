package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q4_1: blocks of 32 weights as 4-bit levels with an fp16 scale and minimum (20 bytes). Without an importance matrix
 * as ggml {@code quantize_row_q4_1_ref}, with one as {@code quantize_row_q4_1_impl}.
 */
public final class Q4_1 implements BlockCodec {
    static final int QK = 32;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        if (imatrix != null) {
            quantizeWeighted(x, xo, n, imatrix, out, oo);
            return;
        }
        for (int i = 0; i < n / QK; i++) {
            int b = xo + i * QK;
            int o = oo + i * 20;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = x[b + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / ((1 << 4) - 1);
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            QuantMath.putShort(out, o + 2, QuantMath.toF16(min));
            for (int j = 0; j < QK / 2; ++j) {
                float x0 = (x[b + j] - min) * id;
                float x1 = (x[b + QK / 2 + j] - min) * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 0.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 0.5f));
                out[o + 4 + j] = (byte) (xi0 | (xi1 << 4));
            }
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
            int o = oo + ib * 20;
            QuantSearch.importanceWeights(qw, ib * QK, x, b, sigma2, weight, QK);
            float d = QuantSearch.makeQkxQuants(
                    true, QK, 15, x, b, weight, 0, L, 0, min, 0, Laux, -0.9f, 0.05f, 36, false);
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            QuantMath.putShort(out, o + 2, QuantMath.toF16(-min[0]));
            for (int j = 0; j < 16; ++j) {
                out[o + 4 + j] = (byte) (L[j] | (L[j + 16] << 4));
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK; i++) {
            int o = io + i * 20;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            float m = QuantMath.fromF16(QuantMath.getShort(in, o + 2));
            for (int j = 0; j < QK / 2; ++j) {
                int q = in[o + 4 + j] & 0xFF;
                y[yo + i * QK + j] = (q & 0x0F) * d + m;
                y[yo + i * QK + j + QK / 2] = (q >> 4) * d + m;
            }
        }
    }
}
