package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q5_0: blocks of 32 weights as 5-bit levels (low nibbles plus a 32-bit mask of fifth bits) with one fp16 scale (22
 * bytes). Without an importance matrix as ggml {@code quantize_row_q5_0_ref}, with one as {@code
 * quantize_row_q5_0_impl}.
 */
public final class Q5_0 implements BlockCodec {
    static final int QK = 32;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
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
            int o = oo + i * 22;
            float amax = 0.0f;
            float max = 0.0f;
            for (int j = 0; j < QK; j++) {
                float v = x[b + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            for (int j = 0; j < QK; ++j) {
                L[j] = (byte) Math.min(31, (byte) (int) (x[b + j] * id + 16.5f));
            }
            packFifthBits(L, out, o + 2, o + 6);
        }
    }

    private static void quantizeWeighted(float[] x, int xo, int n, float[] qw, byte[] out, int oo) {
        float sigma2 = QuantSearch.sumSquares(x, xo, n) / n;
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        for (int ib = 0; ib < n / QK; ++ib) {
            int b = xo + ib * QK;
            int o = oo + ib * 22;
            QuantSearch.importanceWeights(qw, ib * QK, x, b, sigma2, weight, QK);
            float d = QuantSearch.makeQxQuants(QK, 16, x, b, L, 0, 1, weight, 0);
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            packFifthBits(L, out, o + 2, o + 6);
        }
    }

    /** Packs 32 five-bit levels: low nibbles into 16 bytes at {@code qs}, fifth bits into a 32-bit mask at {@code qh}. */
    static void packFifthBits(byte[] L, byte[] out, int qhOff, int qsOff) {
        int qh = 0;
        for (int j = 0; j < 16; ++j) {
            int xi0 = L[j] & 0xFF;
            int xi1 = L[j + 16] & 0xFF;
            out[qsOff + j] = (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= ((xi0 & 0x10) >>> 4) << j;
            qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
        }
        QuantMath.putInt(out, qhOff, qh);
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK; i++) {
            int o = io + i * 22;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            int qh = QuantMath.getInt(in, o + 2);
            for (int j = 0; j < QK / 2; ++j) {
                int q = in[o + 6 + j] & 0xFF;
                int h0 = ((qh >>> j) << 4) & 0x10;
                int h1 = (qh >>> (j + 12)) & 0x10;
                y[yo + i * QK + j] = (((q & 0x0F) | h0) - 16) * d;
                y[yo + i * QK + j + QK / 2] = (((q >> 4) | h1) - 16) * d;
            }
        }
    }
}
