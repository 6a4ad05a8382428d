package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/** Q8_0: blocks of 32 int8 weights with one fp16 scale (34 bytes). As ggml {@code quantize_row_q8_0_ref}. */
public final class Q8_0 implements BlockCodec {
    static final int QK = 32;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        // Q8_0 ignores the importance matrix, as llama.cpp does
        for (int i = 0; i < n / QK; i++) {
            int o = oo + i * 34;
            QuantMath.putShort(out, o, QuantMath.toF16(quantizeBlock(x, xo + i * QK, out, o + 2)));
        }
    }

    /**
     * One block of 32 as {@code quantize_row_q8_0_ref}: writes the int8 levels to {@code q[qo ..]} and returns the
     * scale before fp16 rounding. Also what ggml's Q8_0 and Q8_1 activation quantizers compute.
     */
    public static float quantizeBlock(float[] x, int xo, byte[] q, int qo) {
        float amax = 0.0f;
        for (int j = 0; j < QK; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float d = amax / ((1 << 7) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        for (int j = 0; j < QK; ++j) {
            q[qo + j] = (byte) (int) QuantMath.roundf(x[xo + j] * id);
        }
        return d;
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK; i++) {
            int o = io + i * 34;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o));
            for (int j = 0; j < QK; j++) {
                y[yo + i * QK + j] = in[o + 2 + j] * d;
            }
        }
    }
}
