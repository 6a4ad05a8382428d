package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/** F32: plain little-endian floats. */
public final class F32 implements BlockCodec {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        for (int j = 0; j < n; j++) QuantMath.putInt(out, oo + 4 * j, Float.floatToRawIntBits(x[xo + j]));
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int j = 0; j < n; j++) y[yo + j] = Float.intBitsToFloat(QuantMath.getInt(in, io + 4 * j));
    }
}
