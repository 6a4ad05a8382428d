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
        if (QkxLanes.ENABLED) {
            quantizeLanes(x, xo, n, out, oo);
        } else {
            quantizeRef(x, xo, n, out, oo);
        }
    }

    /** {@code quantize_row_q4_0_ref}, one weight at a time. */
    static void quantizeRef(float[] x, int xo, int n, byte[] out, int oo) {
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

    private static final jdk.incubator.vector.VectorSpecies<Float> F = jdk.incubator.vector.FloatVector.SPECIES_256;
    private static final ThreadLocal<int[]> LEVELS = ThreadLocal.withInitial(() -> new int[16]);

    /**
     * {@code quantize_row_q4_0_ref} with the block's |max| and its levels in vector lanes: the same float operations
     * per weight (x·id, then + 8.5, truncated), so the same bytes.
     */
    static void quantizeLanes(float[] x, int xo, int n, byte[] out, int oo) {
        int[] q = LEVELS.get();
        var half = jdk.incubator.vector.FloatVector.broadcast(F, 8.5f);
        var fifteen = jdk.incubator.vector.IntVector.broadcast(jdk.incubator.vector.IntVector.SPECIES_256, 15);
        for (int i = 0; i < n / QK; i++) {
            int b = xo + i * QK;
            int o = oo + i * 18;
            var v0 = jdk.incubator.vector.FloatVector.fromArray(F, x, b);
            var v1 = jdk.incubator.vector.FloatVector.fromArray(F, x, b + 8);
            var v2 = jdk.incubator.vector.FloatVector.fromArray(F, x, b + 16);
            var v3 = jdk.incubator.vector.FloatVector.fromArray(F, x, b + 24);
            float amax = v0.abs()
                    .max(v1.abs())
                    .max(v2.abs().max(v3.abs()))
                    .reduceLanes(jdk.incubator.vector.VectorOperators.MAX);
            // the first weight with that magnitude, as the scalar scan keeps it (and +0 when all are zero)
            float max = 0.0f;
            if (amax > 0) {
                for (int j = 0; j < QK; j++) {
                    if (Math.abs(x[b + j]) == amax) {
                        max = x[b + j];
                        break;
                    }
                }
            }
            float d = max / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            QuantMath.putShort(out, o, QuantMath.toF16(d));
            var idv = jdk.incubator.vector.FloatVector.broadcast(F, id);
            var q0 = level(v0, idv, half, fifteen);
            var q1 = level(v1, idv, half, fifteen);
            var q2 = level(v2, idv, half, fifteen);
            var q3 = level(v3, idv, half, fifteen);
            q0.or(q2.lanewise(jdk.incubator.vector.VectorOperators.LSHL, 4)).intoArray(q, 0);
            q1.or(q3.lanewise(jdk.incubator.vector.VectorOperators.LSHL, 4)).intoArray(q, 8);
            for (int j = 0; j < 16; j++) {
                out[o + 2 + j] = (byte) q[j];
            }
        }
    }

    private static jdk.incubator.vector.IntVector level(
            jdk.incubator.vector.FloatVector v,
            jdk.incubator.vector.FloatVector id,
            jdk.incubator.vector.FloatVector half,
            jdk.incubator.vector.IntVector fifteen) {
        return ((jdk.incubator.vector.IntVector)
                        v.mul(id).add(half).convert(jdk.incubator.vector.VectorOperators.F2I, 0))
                .min(fifteen);
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
