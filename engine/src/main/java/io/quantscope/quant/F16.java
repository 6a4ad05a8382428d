package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/** F16: IEEE half precision, round to nearest even (as ggml's {@code ggml_fp32_to_fp16_row}). */
public final class F16 implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        for (int j = 0; j < n; j++) QuantMath.putShort(out, oo + 2 * j, QuantMath.toF16(x[xo + j]));
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int j = 0; j < n; j++) y[yo + j] = QuantMath.fromF16(QuantMath.getShort(in, io + 2 * j));
    }
}
