package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q4_0: blocks of 32 weights as 4-bit levels with one fp16 scale (18 bytes). Without an importance matrix as ggml
 * {@code quantize_row_q4_0_ref}, with one as {@code quantize_row_q4_0_impl}.
 */
public final class Q4_0 implements BlockCodec {
    static final int QK = 32;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        if (imatrix != null) {
            quantizeWeighted(x, xo, n, imatrix, out, oo);
            return;
        }
        for (int i = 0; i < n / QK; i++) {
            int b = xo + i * QK;
            int o = oo + i * 18;
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = x[b + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            for (int j = 0; j < QK / 2; ++j) {
                float x0 = x[b + j] * id;
                float x1 = x[b + QK / 2 + j] * id;
                int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
                int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
                out[o + 2 + j] = (byte) (xi0 | (xi1 << 4));
            }
        }
    }

    private static void quantizeWeighted(float[] x, int xo, int n, float[] qw, byte[] out, int oo) {
        float sigma2 = QuantSearch.sumSquares(x, xo, n) / n;
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        for (int ib = 0; ib < n / QK; ++ib) {
            int b = xo + ib * QK;
            int o = oo + ib * 18;
            QuantSearch.importanceWeights(qw, ib * QK, x, b, sigma2, weight, QK);
            float d = QuantSearch.makeQxQuants(QK, 8, x, b, L, 0, 1, weight, 0);
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            for (int j = 0; j < 16; ++j) {
                out[o + 2 + j] = (byte) (L[j] | (L[j + 16] << 4));
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
                y[yo + i * QK + j] = ((q & 0x0F) - 8) * d;
                y[yo + i * QK + j + QK / 2] = ((q >> 4) - 8) * d;
            }
        }
    }
}
