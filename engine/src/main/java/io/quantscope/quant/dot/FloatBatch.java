package io.quantscope.quant.dot;

import java.lang.foreign.MemorySegment;
import java.util.function.IntToDoubleFunction;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32/F16/BF16 weights × a batch of tokens in the order every float dot product here uses: float products summed in
 * double in eight classes (index mod 8), combined as {@code ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7))}, then any tail in
 * index order. A weight row is converted to floats once; tokens sit in vector lanes (transposed activations), so the
 * classes are whole vectors and nothing is summed across lanes.
 */
final class FloatBatch {
    private static final VectorSpecies<Float> FB = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DB = DoubleVector.SPECIES_PREFERRED;

    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[FB.length()]});

    private FloatBatch() {}

    /** The scalar form of the order. */
    static float scalar(IntToDoubleFunction weight, float[] y, int yo, int n) {
        double[] s = new double[8];
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            for (int c = 0; c < 8; c++) {
                s[c] += (double) ((float) weight.applyAsDouble(i + c) * y[yo + i + c]);
            }
        }
        double sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (; i < n; i++) {
            sum += (double) ((float) weight.applyAsDouble(i) * y[yo + i]);
        }
        return (float) sum;
    }

    /** Converts one weight row to floats. */
    @FunctionalInterface
    interface RowDecoder {
        void decode(MemorySegment w, long off, float[] a, int n);
    }

    /** Returns false when the batch path does not apply (no transposed input, or vectors off). */
    static boolean run(
            RowDecoder dec,
            MemorySegment w,
            long off,
            long rowBytes,
            int nRows,
            InputRows in,
            float[] out,
            int outOff,
            int stride) {
        if (!VectorDots.ENABLED || in.tpad == 0 || DB.length() * 2 != FB.length()) {
            return false;
        }
        int n = in.n;
        float[][] sc = SCRATCH.get();
        if (sc[0].length < n) {
            sc[0] = new float[n];
        }
        float[] a = sc[0];
        float[] lanes = sc[1];
        for (int r = 0; r < nRows; r++) {
            dec.decode(w, off + r * rowBytes, a, n);
            for (int g = 0; g < in.rows; g += InputRows.GROUP) {
                FloatVector v = group(a, in, n, g);
                v.intoArray(lanes, 0);
                for (int t = 0; t < lanes.length && g + t < in.rows; t++) {
                    out[outOff + r + (g + t) * stride] = lanes[t];
                }
            }
        }
        return true;
    }

    private static FloatVector group(float[] a, InputRows in, int n, int g) {
        int tp = in.tpad;
        float[] y = in.fT;
        DoubleVector z = DoubleVector.zero(DB);
        DoubleVector l0 = z, l1 = z, l2 = z, l3 = z, l4 = z, l5 = z, l6 = z, l7 = z;
        DoubleVector h0 = z, h1 = z, h2 = z, h3 = z, h4 = z, h5 = z, h6 = z, h7 = z;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            int yo = i * tp + g;
            FloatVector p;
            p = FloatVector.fromArray(FB, y, yo).mul(a[i]);
            l0 = l0.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h0 = h0.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + tp).mul(a[i + 1]);
            l1 = l1.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h1 = h1.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + 2 * tp).mul(a[i + 2]);
            l2 = l2.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h2 = h2.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + 3 * tp).mul(a[i + 3]);
            l3 = l3.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h3 = h3.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + 4 * tp).mul(a[i + 4]);
            l4 = l4.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h4 = h4.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + 5 * tp).mul(a[i + 5]);
            l5 = l5.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h5 = h5.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + 6 * tp).mul(a[i + 6]);
            l6 = l6.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h6 = h6.add(p.convertShape(VectorOperators.F2D, DB, 1));
            p = FloatVector.fromArray(FB, y, yo + 7 * tp).mul(a[i + 7]);
            l7 = l7.add(p.convertShape(VectorOperators.F2D, DB, 0));
            h7 = h7.add(p.convertShape(VectorOperators.F2D, DB, 1));
        }
        DoubleVector lo = l0.add(l1).add(l2.add(l3)).add(l4.add(l5).add(l6.add(l7)));
        DoubleVector hi = h0.add(h1).add(h2.add(h3)).add(h4.add(h5).add(h6.add(h7)));
        for (; i < n; i++) {
            FloatVector p = FloatVector.fromArray(FB, y, i * tp + g).mul(a[i]);
            lo = lo.add(p.convertShape(VectorOperators.F2D, DB, 0));
            hi = hi.add(p.convertShape(VectorOperators.F2D, DB, 1));
        }
        FloatVector flo = (FloatVector) lo.convertShape(VectorOperators.D2F, FB, 0);
        FloatVector fhi = (FloatVector) hi.convertShape(VectorOperators.D2F, FB, -1);
        return flo.blend(fhi, FB.indexInRange(-DB.length(), DB.length())); // lanes 8.. from hi
    }
}
