package io.quantscope.quant.dot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An F16 matrix in groups of 32 rows ({@link RowGroups}), one row per lane: run {@code k} (64 bytes) holds weight
 * {@code k} of the 32 rows, so a group is one stream of {@code cols} runs. Only finite weights (a group with an
 * infinite or NaN half keeps the file's layout), so a half becomes a float by integer arithmetic: sign-extended to an
 * int and shifted left 13 it is the weight times 2^-112 as a float, exactly (subnormal halves included), as
 * {@link LaneDots#f16} does.
 *
 * <p>One token: each weight of the 32 rows meets its activation times 2^112 ({@link InputRows#f112}), so every product
 * is the exact product of weight and activation, rounded once; per row in order of {@code k} over four accumulators
 * (even and odd {@code k} of each half of the rows), so within float rounding of the reference. A batch decodes the
 * weights exactly and gives {@link LaneBatch}'s bits ({@link GroupBatch}), where a product over rows in the file's
 * layout ran at two thirds of the speed on one core.
 */
final class F16Groups {
    private static final int ROWS = RowGroups.ROWS;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private F16Groups() {}

    /**
     * Group bytes from its 32 rows in the file's layout ({@code 2·cols} bytes per row); false where a weight is infinite
     * or NaN (such a matrix keeps the file's layout).
     */
    static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int rowBytes = 2 * cols;
        MemorySegment from = MemorySegment.ofArray(src);
        MemorySegment to = MemorySegment.ofArray(dst);
        int top = 0;
        // scalar on purpose: this runs while the model loads, before C2 has compiled anything, and the Vector API
        // interpreted is far slower than a scalar loop that OSR compiles
        for (int r = 0; r < ROWS; r++) {
            long s = srcOff + (long) r * rowBytes;
            long d = dstOff + 2L * r;
            for (int k = 0; k < cols; k++) {
                short h = from.get(HALF, s + 2L * k);
                top = Math.max(top, h & 0x7C00);
                to.set(HALF, d + 64L * k, h);
            }
        }
        return top != 0x7C00; // else an infinite or NaN weight: the kernels' conversion covers finite halves only
    }

    /** Row {@code r} as floats into {@code out[off ..]}. */
    static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        long at = (long) (r / ROWS) * 2 * ROWS * cols + 2 * (r % ROWS);
        for (int k = 0; k < cols; k++, at += 2 * ROWS) {
            out[off + k] = Float.float16ToFloat(w.get(HALF, at));
        }
    }

    static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        long groupBytes = 2L * ROWS * cols;
        if (in.lanePad > 0) {
            GroupBatch.run(F16Groups::decode, w, g0, g1, cols, groupBytes, in, out, stride);
            return;
        }
        for (int t = 0; t < in.rows; t++) {
            oneToken(w, g0, g1, cols, in.f112, t * cols, out, t * stride);
        }
    }

    /** Groups {@code g0 .. g1)} · the activations {@code y112[yo .. yo+cols)} (times 2^112). */
    private static void oneToken(
            MemorySegment w, int g0, int g1, int cols, float[] y112, int yo, float[] out, int outOff) {
        long groupBytes = 2L * ROWS * cols;
        for (int g = g0; g < g1; g++) {
            long go = g * groupBytes;
            FloatVector a0 = FloatVector.zero(F512);
            FloatVector a1 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            int k = 0;
            for (; k + 2 <= cols; k += 2) {
                ShortVector h = ShortVector.fromMemorySegment(S512, w, go + 64L * k, LE);
                ShortVector i = ShortVector.fromMemorySegment(S512, w, go + 64L * k + 64, LE);
                FloatVector y0 = FloatVector.broadcast(F512, y112[yo + k]);
                FloatVector y1 = FloatVector.broadcast(F512, y112[yo + k + 1]);
                a0 = ((IntVector) h.convertShape(VectorOperators.S2I, I512, 0))
                        .lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000)
                        .reinterpretAsFloats()
                        .fma(y0, a0);
                a1 = ((IntVector) h.convertShape(VectorOperators.S2I, I512, 1))
                        .lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000)
                        .reinterpretAsFloats()
                        .fma(y0, a1);
                b0 = ((IntVector) i.convertShape(VectorOperators.S2I, I512, 0))
                        .lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000)
                        .reinterpretAsFloats()
                        .fma(y1, b0);
                b1 = ((IntVector) i.convertShape(VectorOperators.S2I, I512, 1))
                        .lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000)
                        .reinterpretAsFloats()
                        .fma(y1, b1);
            }
            if (k < cols) {
                ShortVector h = ShortVector.fromMemorySegment(S512, w, go + 64L * k, LE);
                FloatVector y0 = FloatVector.broadcast(F512, y112[yo + k]);
                a0 = ((IntVector) h.convertShape(VectorOperators.S2I, I512, 0))
                        .lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000)
                        .reinterpretAsFloats()
                        .fma(y0, a0);
                a1 = ((IntVector) h.convertShape(VectorOperators.S2I, I512, 1))
                        .lanewise(VectorOperators.LSHL, 13)
                        .and(0x8FFFE000)
                        .reinterpretAsFloats()
                        .fma(y0, a1);
            }
            a0.add(b0).intoArray(out, outOff + ROWS * g);
            a1.add(b1).intoArray(out, outOff + ROWS * g + 16);
        }
    }

    /** Weights {@code k0 .. k1)} of the 32 rows as floats, exactly, weight {@code k} of row {@code r} at {@code a[32k + r]}. */
    private static void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a) {
        for (int k = k0; k < k1; k++) {
            RowGroups.halvesToFloats(w, go + 64L * k, a, ROWS * (k - k0));
        }
    }
}
