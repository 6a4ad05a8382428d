package io.quantscope.infer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise and row operations of the forward pass, computed as ggml's CPU backend computes them on x86-64
 * (the generic build; its AVX2 build prints the same texts): RMS norm summed in double, exp through ggml's
 * polynomial {@code ggml_v_expf} (no fused multiply-add), softmax sums of four lanes accumulated in double.
 */
public final class Ops {
    private Ops() {}

    /** {@code out[oo..] = x[xo..] / rms(x) * w}: ggml_rms_norm followed by ggml_mul. */
    public static void rmsNorm(float[] x, int xo, int n, float[] w, float eps, float[] out, int oo) {
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            sum += (double) (v * v);
        }
        float mean = (float) (sum / n);
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[oo + i] = (x[xo + i] * scale) * w[i];
        }
    }

    /** ggml_v_expf (SSE2 form: multiply then add), one lane. */
    public static float expf(float x) {
        final float r = 0x1.8p23f;
        float z = x * 0x1.715476p+0f + r;
        float n = z - r;
        float b = (x - n * 0x1.62e4p-1f) - n * 0x1.7f7d1cp-20f;
        int e = Float.floatToRawIntBits(z) << 23;
        float k = Float.intBitsToFloat(e + Float.floatToRawIntBits(1.0f));
        float u = b * b;
        float j = ((0x1.0e4020p-7f * b + 0x1.573e2ep-5f) * u + (0x1.555e66p-3f * b + 0x1.fffdb6p-2f)) * u
                + 0x1.ffffecp-1f * b;
        float an = Math.abs(n);
        if (!(an > 126)) {
            return j * k + k;
        }
        int g = n <= 0 ? 0x82000000 : 0;
        float s1 = Float.intBitsToFloat(g + 0x7f000000);
        float s2 = Float.intBitsToFloat(e - g);
        if (an > 192) {
            return s1 * s1;
        }
        return (s2 * j + s2) * s1;
    }

    /** {@link #expf} in every lane: the same operations in the same order, so each lane gets the scalar bits. */
    static FloatVector expf(FloatVector x) {
        FloatVector r = FloatVector.broadcast(x.species(), 0x1.8p23f);
        FloatVector z = x.mul(0x1.715476p+0f).add(r);
        FloatVector n = z.sub(r);
        FloatVector b = x.sub(n.mul(0x1.62e4p-1f)).sub(n.mul(0x1.7f7d1cp-20f));
        IntVector e = z.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        FloatVector k = e.add(Float.floatToRawIntBits(1.0f)).reinterpretAsFloats();
        FloatVector u = b.mul(b);
        FloatVector j = b.mul(0x1.0e4020p-7f)
                .add(0x1.573e2ep-5f)
                .mul(u)
                .add(b.mul(0x1.555e66p-3f).add(0x1.fffdb6p-2f))
                .mul(u)
                .add(b.mul(0x1.ffffecp-1f));
        FloatVector an = n.abs();
        FloatVector normal = j.mul(k).add(k);
        VectorMask<Float> far = an.compare(VectorOperators.GT, 126f);
        if (!far.anyTrue()) {
            return normal;
        }
        IntVector g = IntVector.zero(e.species())
                .blend(0x82000000, n.compare(VectorOperators.LE, 0f).cast(e.species()));
        FloatVector s1 = g.add(0x7f000000).reinterpretAsFloats();
        FloatVector s2 = e.sub(g).reinterpretAsFloats();
        FloatVector scaled = s2.mul(j).add(s2).mul(s1).blend(s1.mul(s1), an.compare(VectorOperators.GT, 192f));
        return normal.blend(scaled, far);
    }

    /** C's {@code expf} (glibc is correctly rounded in practice), used for the tails ggml leaves to libm. */
    static float libmExpf(float x) {
        return (float) StrictMath.exp(x);
    }

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    /** Whether {@link #silu} takes whole vectors of lanes at a time (as wide as four lanes at least). */
    static final boolean VECTOR_SILU = FS.length() >= 4 && !Boolean.getBoolean("quantscope.scalarKernels");

    /**
     * ggml_vec_silu_f32: groups of four through {@link #expf}, the tail through libm. The groups of four go a vector at
     * a time through {@link #expf}'s operations lane by lane, in the same order and without fused multiply-adds, so
     * each value gets the scalar bits ({@code OpsTest}); at a 1.1B model's 5,632-wide layers the scalar loop took
     * ~350 µs of every token.
     */
    public static void silu(float[] x, int off, int n) {
        int groups = n - n % 4;
        int i = 0;
        if (VECTOR_SILU) {
            for (; i + FS.length() <= groups; i += FS.length()) {
                FloatVector v = FloatVector.fromArray(FS, x, off + i);
                FloatVector e = expf(FloatVector.zero(FS).sub(v));
                v.div(e.add(1.0f)).intoArray(x, off + i);
            }
        }
        siluScalar(x, off + i, n - i);
    }

    /** {@link #silu} one value at a time: the reference for the vector lanes, and the lanes' tail. */
    static void siluScalar(float[] x, int off, int n) {
        int i = 0;
        for (; i + 3 < n; i += 4) {
            for (int l = 0; l < 4; l++) {
                float v = x[off + i + l];
                x[off + i + l] = v / (1.0f + expf(0.0f - v));
            }
        }
        for (; i < n; i++) {
            float v = x[off + i];
            x[off + i] = v / (1.0f + libmExpf(-v));
        }
    }

    /**
     * ggml_soft_max_ext over {@code x[off .. off+n)} with scale and a causal mask that keeps the first {@code n}
     * entries: values scaled, max subtracted, exponentials summed four at a time in float then in double,
     * multiplied by the float reciprocal. Entries the mask removes are exact zeros and change no sum.
     */
    public static void softmax(float[] x, int off, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = x[off + i] * scale;
            x[off + i] = v;
            max = Math.max(max, v);
        }
        double sum = 0;
        int i = 0;
        for (; i < n; i += 4) {
            float v0 = expAt(x, off, i, n, max);
            float v1 = expAt(x, off, i + 1, n, max);
            float v2 = expAt(x, off, i + 2, n, max);
            float v3 = expAt(x, off, i + 3, n, max);
            sum += (double) ((v0 + v1) + (v2 + v3));
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) {
            x[off + j] *= inv;
        }
    }

    private static float expAt(float[] x, int off, int i, int n, float max) {
        if (i >= n) {
            return 0f;
        }
        float v = expf(x[off + i] - max);
        x[off + i] = v;
        return v;
    }
}
