package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q4_K: super-blocks of 256 weights in 8 groups of 32, 4-bit levels, 6-bit group scales and mins (144 bytes: d, dmin,
 * scales[12], qs[128]). As ggml {@code quantize_row_q4_K_ref} / {@code quantize_row_q4_K_impl}.
 */
public final class Q4_K extends KQuant45 {
    static final int BYTES = 144;

    public Q4_K() {
        super(15, -1.f, 20, false);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    int blockBytes() {
        return BYTES;
    }

    @Override
    void pack(byte[] L, byte[] out, int o) {
        int q = o + 16;
        for (int j = 0; j < QK_K; j += 64) {
            for (int l = 0; l < 32; ++l) out[q + l] = (byte) (L[j + l] | (L[j + l + 32] << 4));
            q += 32;
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK_K; i++) {
            int o = io + i * BYTES;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            float min = QuantMath.fromF16(QuantMath.getShort(in, o + 2));
            int q = o + 16;
            int y0 = yo + i * QK_K;
            for (int j = 0, is = 0; j < QK_K; j += 64, is += 2) {
                float d1 = d * scaleOf(in, o, is);
                float m1 = min * minOf(in, o, is);
                float d2 = d * scaleOf(in, o, is + 1);
                float m2 = min * minOf(in, o, is + 1);
                for (int l = 0; l < 32; ++l) y[y0++] = d1 * (in[q + l] & 0xF) - m1;
                for (int l = 0; l < 32; ++l) y[y0++] = d2 * ((in[q + l] & 0xFF) >> 4) - m2;
                q += 32;
            }
        }
    }
}
