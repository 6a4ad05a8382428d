package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Weight matrices read at load into groups of {@link #ROWS} rows, so that a vector lane holds one row: Q4_0
 * ({@link Q4_0Groups}), Q4_K ({@link Q4_KGroups}), Q2_K ({@link Q2_KGroups}), Q3_K ({@link Q3_KGroups}), Q6_K ({@link Q6_KGroups}) and F16 ({@link F16Groups}). The same bytes as the file in another
 * order; llama.cpp's CPU backend repacks Q4_0 and Q4_K at load on this kind of machine too. Where a kernel in the file's layout handles each
 * block's scales and the activations again for every row, here 32 rows share one broadcast activation per weight and
 * their scales come as vectors. Only on machines with 32 short lanes (AVX-512BW) and with the lane kernels on.
 */
public final class RowGroups {
    /** Rows per group: one per short lane of a 512-bit vector. */
    public static final int ROWS = 32;

    private RowGroups() {}

    /** Whether a matrix of this type and shape is laid out in groups on this machine. */
    public static boolean applies(GgmlType type, long rows, long cols) {
        boolean shape = switch (type) {
            case Q4_0 -> cols % 32 == 0;
            case Q4_K, Q2_K, Q3_K, Q6_K -> cols % 256 == 0;
            case F16 -> true;
            default -> false;
        };
        return shape && rows % ROWS == 0 && LaneDots.ENABLED && LaneDots.SHORTS;
    }

    /**
     * One group's bytes from its 32 rows in the file's layout ({@code src} from {@code srcOff}) into {@code dst} from
     * {@code dstOff}, the same count. False, with {@code dst} partly written, where this matrix has to keep the file's
     * layout (a Q4_0 scale, a Q4_K or Q2_K d or dmin, a Q3_K or Q6_K d, or an F16 weight, that is infinite or NaN).
     */
    public static boolean repackGroup(GgmlType type, byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        return switch (type) {
            case Q4_0 -> Q4_0Groups.repackGroup(src, srcOff, dst, dstOff, cols);
            case Q4_K -> Q4_KGroups.repackGroup(src, srcOff, dst, dstOff, cols);
            case Q2_K -> Q2_KGroups.repackGroup(src, srcOff, dst, dstOff, cols);
            case Q3_K -> Q3_KGroups.repackGroup(src, srcOff, dst, dstOff, cols);
            case Q6_K -> Q6_KGroups.repackGroup(src, srcOff, dst, dstOff, cols);
            case F16 -> F16Groups.repackGroup(src, srcOff, dst, dstOff, cols);
            default -> throw new IllegalArgumentException(type + " is not laid out in groups");
        };
    }

    /**
     * Runs {@code k = 0 .. count)}: byte {@code from + k} of each of the 32 rows ({@code rowBytes} apart in {@code src})
     * to {@code dst[to + 32k + r]}. How every layout here lays out a block's bytes.
     */
    static void toRuns(byte[] src, int from, int rowBytes, int count, byte[] dst, int to) {
        for (int k = 0; k < count; k++) {
            int at = from + k;
            for (int r = 0; r < ROWS; r++, at += rowBytes) {
                dst[to + 32 * k + r] = src[at];
            }
        }
    }

    /** The reverse of {@link #toRuns} for one row: lane {@code lane} of runs {@code 0 .. count)} from {@code at}. */
    static void fromRuns(MemorySegment w, long at, int lane, int count, byte[] row, int to) {
        for (int k = 0; k < count; k++) {
            row[to + k] = w.get(ValueLayout.JAVA_BYTE, at + 32L * k + lane);
        }
    }

    /**
     * {@link #toRuns} with the runs in the order a kernel reads them: byte {@code from + k} of the rows to run
     * {@code run(k)}, so that each load of a kernel's inner loop steps through memory by one stride from block to
     * block. {@link Q6_KGroups}' kernel read a 54 MB matrix from memory on one core at 13-15 GB/s this way against 8 in
     * the file's order (session 21); {@link Q3_KGroups}' did not gain from it.
     */
    static void toRuns(byte[] src, int from, int rowBytes, int count, IntUnaryOperator run, byte[] dst, int to) {
        for (int k = 0; k < count; k++) {
            toRuns(src, from + k, rowBytes, 1, dst, to + 32 * run.applyAsInt(k));
        }
    }

    /** The reverse of {@link #toRuns(byte[], int, int, int, IntUnaryOperator, byte[], int)} for one row. */
    static void fromRuns(MemorySegment w, long at, int lane, int count, IntUnaryOperator run, byte[] row, int to) {
        for (int k = 0; k < count; k++) {
            row[to + k] = w.get(ValueLayout.JAVA_BYTE, at + 32L * run.applyAsInt(k) + lane);
        }
    }

    /** Whether the little-endian fp16 value at {@code src[at]} is finite (its exponent bits not all ones). */
    static boolean finiteHalf(byte[] src, int at) {
        return (src[at + 1] & 0x7C) != 0x7C;
    }

    /**
     * The 32 fp16 values at {@code at} (one per row of a group; finite only, which each repackGroup makes sure of) as
     * floats into {@code out[off .. off+32)}: a half sign-extended to an int and shifted left 13, with the sign's
     * copies in bits 28-30 masked off, is the half times 2^-112 as a float (subnormal halves too), so times 2^112 it is
     * the half exactly, as {@link LaneDots#f16} reads them. Vectors stay inside and the two halves are written out: a
     * helper returning a vector ran the Q4_K kernel at ×0.8, and a loop over the two halves lost the ×1.1 this
     * conversion gains. Three operations per 16 halves fewer than moving the sign separately: {@link F16Groups}' batch
     * decoder ran ×0.95 on that one (session 21 review).
     */
    static void halvesToFloats(MemorySegment w, long at, float[] out, int off) {
        ShortVector h = ShortVector.fromMemorySegment(ShortVector.SPECIES_512, w, at, ByteOrder.LITTLE_ENDIAN);
        ((IntVector) h.convertShape(VectorOperators.S2I, IntVector.SPECIES_512, 0))
                .lanewise(VectorOperators.LSHL, 13)
                .and(0x8FFFE000)
                .reinterpretAsFloats()
                .mul(0x1p112f)
                .intoArray(out, off);
        ((IntVector) h.convertShape(VectorOperators.S2I, IntVector.SPECIES_512, 1))
                .lanewise(VectorOperators.LSHL, 13)
                .and(0x8FFFE000)
                .reinterpretAsFloats()
                .mul(0x1p112f)
                .intoArray(out, off + 16);
    }

    /** {@link #halvesToFloats(MemorySegment, long, float[], int)} into {@code out[0 .. 32)}. */
    static void halvesToFloats(MemorySegment w, long at, float[] out) {
        halvesToFloats(w, at, out, 0);
    }

    /** Sets activations up for {@link #dotRows} (once per load, before the rows are shared between threads). */
    public static void prepare(GgmlType type, InputRows in) {
        if (type == GgmlType.Q4_0) {
            in.prepareQ40Groups();
        } else if (type == GgmlType.Q6_K) {
            in.prepareQ6Groups();
        }
    }

    /**
     * Rows {@code r0 .. r1)} (multiples of {@link #ROWS}) · every activation row of {@code in}: row {@code r}, token
     * {@code t} into {@code out[r + t·stride]}.
     */
    public static void dotRows(
            GgmlType type, MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        switch (type) {
            case Q4_0 -> Q4_0Groups.dotRows(w, r0, r1, cols, in, out, stride);
            case Q4_K -> Q4_KGroups.dotRows(w, r0, r1, cols, in, out, stride);
            case Q3_K -> Q3_KGroups.dotRows(w, r0, r1, cols, in, out, stride);
            case Q6_K -> Q6_KGroups.dotRows(w, r0, r1, cols, in, out, stride);
            case F16 -> F16Groups.dotRows(w, r0, r1, cols, in, out, stride);
            default -> Q2_KGroups.dotRows(w, r0, r1, cols, in, out, stride);
        }
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    public static void row(GgmlType type, MemorySegment w, int r, int cols, float[] out, int off) {
        switch (type) {
            case Q4_0 -> Q4_0Groups.row(w, r, cols, out, off);
            case Q4_K -> Q4_KGroups.row(w, r, cols, out, off);
            case Q3_K -> Q3_KGroups.row(w, r, cols, out, off);
            case Q6_K -> Q6_KGroups.row(w, r, cols, out, off);
            case F16 -> F16Groups.row(w, r, cols, out, off);
            default -> Q2_KGroups.row(w, r, cols, out, off);
        }
    }
}
