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
        return QkxLanes.ENABLED ? quantizeBlockLanes(x, xo, q, qo) : quantizeBlockRef(x, xo, q, qo);
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> F = jdk.incubator.vector.FloatVector.SPECIES_256;

    private static final ThreadLocal<int[]> LEVELS = ThreadLocal.withInitial(() -> new int[QK]);

    /**
     * {@link #quantizeBlockRef} in vector lanes: the same |max|, scale and products, and C's {@code roundf} done
     * exactly (the integer part plus one when the fraction is at least one half), so the same bytes.
     */
    static float quantizeBlockLanes(float[] x, int xo, byte[] q, int qo) {
        // loops rather than four copies: C2 parses (and inlines) a loop body once, and four inlined copies of round()
        // passed its node budget, leaving one call boxed and slow
        var m = jdk.incubator.vector.FloatVector.zero(F);
        for (int k = 0; k < QK; k += 8) {
            m = m.max(jdk.incubator.vector.FloatVector.fromArray(F, x, xo + k).abs());
        }
        float amax = m.reduceLanes(jdk.incubator.vector.VectorOperators.MAX);
        float d = amax / ((1 << 7) - 1);
        float id = d != 0 ? 1.0f / d : 0.0f;
        var idv = jdk.incubator.vector.FloatVector.broadcast(F, id);
        // through an int array: a vector int-to-byte narrowing is not intrinsified here and costs more than the loop
        int[] l = LEVELS.get();
        for (int k = 0; k < QK; k += 8) {
            round(jdk.incubator.vector.FloatVector.fromArray(F, x, xo + k).mul(idv))
                    .intoArray(l, k);
        }
        for (int j = 0; j < QK; j++) {
            q[qo + j] = (byte) l[j];
        }
        return d;
    }

    /** C {@code roundf} per lane, as an int: half away from zero, exact. */
    private static jdk.incubator.vector.IntVector round(jdk.incubator.vector.FloatVector v) {
        var a = v.abs();
        var fl = (jdk.incubator.vector.FloatVector) a.convert(jdk.incubator.vector.VectorOperators.F2I, 0)
                .convert(jdk.incubator.vector.VectorOperators.I2F, 0);
        var up = a.sub(fl).compare(jdk.incubator.vector.VectorOperators.GE, 0.5f);
        var r = fl.add(1f, up);
        r = r.blend(r.neg(), v.compare(jdk.incubator.vector.VectorOperators.LT, 0f));
        return (jdk.incubator.vector.IntVector) r.convert(jdk.incubator.vector.VectorOperators.F2I, 0);
    }

    /** One block as {@code quantize_row_q8_0_ref}, one weight at a time. */
    static float quantizeBlockRef(float[] x, int xo, byte[] q, int qo) {
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
