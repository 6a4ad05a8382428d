package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q5_K: super-blocks of 256 weights in 8 groups of 32, 5-bit levels (low nibbles plus high-bit planes), 6-bit group
 * scales and mins (176 bytes: d, dmin, scales[12], qh[32], qs[128]). As ggml {@code quantize_row_q5_K_ref} /
 * {@code quantize_row_q5_K_impl}.
 */
public final class Q5_K extends KQuant45 {
    static final int BYTES = 176;

    public Q5_K() {
        super(31, -0.5f, 15, true);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    int blockBytes() {
        return BYTES;
    }

    @Override
    void pack(byte[] L, byte[] out, int o) {
        int qh = o + 16;
        int ql = o + 48;
        java.util.Arrays.fill(out, qh, qh + 32, (byte) 0);
        int m1 = 1;
        int m2 = 2;
        for (int n = 0; n < QK_K; n += 64) {
            for (int j = 0; j < 32; ++j) {
                int l1 = L[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    out[qh + j] |= (byte) m1;
                }
                int l2 = L[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    out[qh + j] |= (byte) m2;
                }
                out[ql + j] = (byte) (l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK_K; i++) {
            int o = io + i * BYTES;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            float min = QuantMath.fromF16(QuantMath.getShort(in, o + 2));
            int qh = o + 16;
            int ql = o + 48;
            int y0 = yo + i * QK_K;
            int u1 = 1;
            int u2 = 2;
            for (int j = 0, is = 0; j < QK_K; j += 64, is += 2) {
                float d1 = d * scaleOf(in, o, is);
                float m1 = min * minOf(in, o, is);
                float d2 = d * scaleOf(in, o, is + 1);
                float m2 = min * minOf(in, o, is + 1);
                for (int l = 0; l < 32; ++l) {
                    y[y0++] = d1 * ((in[ql + l] & 0xF) + ((in[qh + l] & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; ++l) {
                    y[y0++] = d2 * (((in[ql + l] & 0xFF) >> 4) + ((in[qh + l] & u2) != 0 ? 16 : 0)) - m2;
                }
                ql += 32;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }
}
