package io.quantscope.quant.dot;

import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q2_K matrix in groups of 32 rows ({@link RowGroups}), one row per lane, in two regions as {@link Q4_KGroups}: per
 * block 64 runs of 32 bytes (run {@code k} holds byte {@code k} of each row's {@code qs}), then per block 640 bytes:
 * the 32 rows' fp16 {@code d}, their {@code dmin}, and sixteen runs of their scale bytes (scale in the low nibble, min
 * in the high one).
 *
 * <p>One token: per block, each group of sixteen weights (2-bit values) meets the activations in a short lane (at most
 * 16·3·127 = 6,096), then its scale in int lanes, and {@code Σ min·bsum} beside it; per block
 * {@code (d·dy)·Σ − (dmin·dy)·Σmin}. The same integers as ggml's {@code ggml_vec_dot_q2_K_q8_K}, summed in another
 * float order. A batch gives {@link LaneBatch}'s bits.
 */
final class Q2_KGroups {
    private static final int ROWS = RowGroups.ROWS;
    private static final int QS_BYTES = 64 * ROWS;
    private static final int META_BYTES = 20 * ROWS;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** A thread's rows' scales and mins (sixteen runs of 32 ints each), and their d and dmin. */
    private static final class Scratch {
        final int[] scales = new int[16 * ROWS];
        final int[] mins = new int[16 * ROWS];
        final float[] d = new float[ROWS];
        final float[] dmin = new float[ROWS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Q2_KGroups() {}

    /**
     * Group bytes from its 32 rows in the file's layout ({@code cols / 256} blocks of 84 bytes per row); false where a
     * {@code d} or {@code dmin} is infinite or NaN (such a matrix keeps the file's layout).
     */
    static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int nb = cols / 256;
        int rowBytes = 84 * nb;
        int meta0 = dstOff + nb * QS_BYTES;
        for (int b = 0; b < nb; b++) {
            int q = dstOff + QS_BYTES * b;
            int m = meta0 + META_BYTES * b;
            for (int r = 0; r < ROWS; r++) {
                int s = srcOff + r * rowBytes + 84 * b;
                if (!RowGroups.finiteHalf(src, s + 80) || !RowGroups.finiteHalf(src, s + 82)) {
                    return false; // an infinite or NaN d or dmin: the kernel's conversion covers finite halves only
                }
                dst[m + 2 * r] = src[s + 80];
                dst[m + 2 * r + 1] = src[s + 81];
                dst[m + 64 + 2 * r] = src[s + 82];
                dst[m + 64 + 2 * r + 1] = src[s + 83];
            }
            RowGroups.toRuns(src, srcOff + 84 * b, rowBytes, 16, dst, m + 128);
            RowGroups.toRuns(src, srcOff + 84 * b + 16, rowBytes, 64, dst, q);
        }
        return true;
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        int nb = cols / 256;
        long go = (long) (r / ROWS) * nb * (QS_BYTES + META_BYTES);
        long meta0 = go + (long) nb * QS_BYTES;
        int lane = r % ROWS;
        byte[] bytes = new byte[84 * nb];
        for (int b = 0; b < nb; b++) {
            long m = meta0 + (long) META_BYTES * b;
            long q = go + (long) QS_BYTES * b;
            RowGroups.fromRuns(w, m + 128, lane, 16, bytes, 84 * b);
            RowGroups.fromRuns(w, q, lane, 64, bytes, 84 * b + 16);
            bytes[84 * b + 80] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane);
            bytes[84 * b + 81] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane + 1);
            bytes[84 * b + 82] = w.get(ValueLayout.JAVA_BYTE, m + 64 + 2 * lane);
            bytes[84 * b + 83] = w.get(ValueLayout.JAVA_BYTE, m + 64 + 2 * lane + 1);
        }
        Codecs.of(GgmlType.Q2_K).dequantizeRow(bytes, 0, cols, out, off);
    }

    /** A block's 32 rows: sixteen scales and mins each ({@code [32·j + r]}) as ints; d and dmin as floats. */
    private static void unpack(MemorySegment w, long m, Scratch s) {
        for (int j = 0; j < 16; j++) {
            ByteVector v = ByteVector.fromMemorySegment(B256, w, m + 128 + 32 * j, LE);
            IntVector lo = (IntVector) v.convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector hi = (IntVector) v.convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 1);
            lo.and(0x0F).intoArray(s.scales, ROWS * j);
            hi.and(0x0F).intoArray(s.scales, ROWS * j + 16);
            lo.lanewise(VectorOperators.LSHR, 4).intoArray(s.mins, ROWS * j);
            hi.lanewise(VectorOperators.LSHR, 4).intoArray(s.mins, ROWS * j + 16);
        }
        RowGroups.halvesToFloats(w, m, s.d);
        RowGroups.halvesToFloats(w, m + 64, s.dmin);
    }

    static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        long groupBytes = (long) (cols / 256) * (QS_BYTES + META_BYTES);
        if (in.lanePad > 0) {
            GroupBatch.run(Q2_KGroups::decode, w, g0, g1, cols, groupBytes, in, out, stride);
            return;
        }
        for (int t = 0; t < in.rows; t++) {
            oneToken(w, g0, g1, cols / 256, in, t, out, t * stride);
        }
    }

    /** A thread's block sums: the 32 rows' {@code Σ value·scale·y} and {@code Σ min·bsum}. */
    private static final class Sums {
        final int[] values = new int[ROWS];
        final int[] mins = new int[ROWS];
    }

    private static final ThreadLocal<Sums> SUMS = ThreadLocal.withInitial(Sums::new);

    /**
     * Groups {@code g0 .. g1)} · token {@code t} of {@code in}. The block's integer sums come from two methods that
     * hand back arrays, not vectors. Written as one method, generation on the 1.1B Q2_K ran at 13.8 and 20.6 tok/s in
     * two of seventeen fresh JVMs (30-37 in the others): C2's compilations of it were deoptimized and redone several
     * times per run. Split, ten runs gave 32.6-38.1. That the split is what mended it is likely, not proven (the same
     * split of {@link Q4_KGroups}' kernel changed nothing measurable).
     */
    private static void oneToken(
            MemorySegment w, int g0, int g1, int nb, InputRows in, int t, float[] out, int outOff) {
        Sums sums = SUMS.get();
        long groupBytes = (long) nb * (QS_BYTES + META_BYTES);
        for (int g = g0; g < g1; g++) {
            long go = g * groupBytes;
            long meta0 = go + (long) nb * QS_BYTES;
            FloatVector acc0 = FloatVector.zero(F512);
            FloatVector acc1 = FloatVector.zero(F512);
            for (int b = 0; b < nb; b++) {
                long m = meta0 + (long) META_BYTES * b;
                int yb = t * nb + b;
                minSums(w, m, in.bsums, 16 * yb, sums.mins);
                valueSums(w, go + (long) QS_BYTES * b, m, in.qsh, 256 * yb, sums.values);
                // d and dmin of the 32 rows by the fp16 bit trick (finite scales only: repackGroup)
                ShortVector hd = ShortVector.fromMemorySegment(S512, w, m, LE);
                ShortVector hm = ShortVector.fromMemorySegment(S512, w, m + 64, LE);
                float dy = in.d[yb];
                IntVector e = (IntVector) hd.convertShape(VectorOperators.S2I, I512, 0);
                FloatVector d0 = e.and(0x7FFF)
                        .lanewise(VectorOperators.LSHL, 13)
                        .reinterpretAsFloats()
                        .mul(0x1p112f)
                        .reinterpretAsInts()
                        .or(e.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats();
                e = (IntVector) hd.convertShape(VectorOperators.S2I, I512, 1);
                FloatVector d1 = e.and(0x7FFF)
                        .lanewise(VectorOperators.LSHL, 13)
                        .reinterpretAsFloats()
                        .mul(0x1p112f)
                        .reinterpretAsInts()
                        .or(e.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats();
                e = (IntVector) hm.convertShape(VectorOperators.S2I, I512, 0);
                FloatVector m0 = e.and(0x7FFF)
                        .lanewise(VectorOperators.LSHL, 13)
                        .reinterpretAsFloats()
                        .mul(0x1p112f)
                        .reinterpretAsInts()
                        .or(e.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats();
                e = (IntVector) hm.convertShape(VectorOperators.S2I, I512, 1);
                FloatVector m1 = e.and(0x7FFF)
                        .lanewise(VectorOperators.LSHL, 13)
                        .reinterpretAsFloats()
                        .mul(0x1p112f)
                        .reinterpretAsInts()
                        .or(e.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats();
                acc0 = acc0.add(d0.mul(dy).mul((FloatVector)
                                IntVector.fromArray(I512, sums.values, 0).convert(VectorOperators.I2F, 0)))
                        .sub(m0.mul(dy).mul((FloatVector)
                                IntVector.fromArray(I512, sums.mins, 0).convert(VectorOperators.I2F, 0)));
                acc1 = acc1.add(d1.mul(dy).mul((FloatVector)
                                IntVector.fromArray(I512, sums.values, 16).convert(VectorOperators.I2F, 0)))
                        .sub(m1.mul(dy).mul((FloatVector)
                                IntVector.fromArray(I512, sums.mins, 16).convert(VectorOperators.I2F, 0)));
            }
            acc0.intoArray(out, outOff + ROWS * g);
            acc1.intoArray(out, outOff + ROWS * g + 16);
        }
    }

    /** A block's {@code Σ min·bsum} of the 32 rows (mins in the scale runs' high nibbles) into {@code sums}. */
    private static void minSums(MemorySegment w, long m, int[] bsums, int bo, int[] sums) {
        IntVector sm0 = IntVector.zero(I512);
        IntVector sm1 = IntVector.zero(I512);
        for (int j = 0; j < 16; j++) {
            ByteVector v = ByteVector.fromMemorySegment(B256, w, m + 128 + 32 * j, LE);
            int bs = bsums[bo + j];
            sm0 = sm0.add(((IntVector) v.convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0))
                    .lanewise(VectorOperators.LSHR, 4)
                    .mul(bs));
            sm1 = sm1.add(((IntVector) v.convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 1))
                    .lanewise(VectorOperators.LSHR, 4)
                    .mul(bs));
        }
        sm0.intoArray(sums, 0);
        sm1.intoArray(sums, 16);
    }

    /**
     * A block's {@code Σ value·scale·y} of the 32 rows into {@code sums}: per group of sixteen weights a short lane
     * sum (at most 16·3·127 = 6,096), then times its scale (the low nibble) in int lanes.
     */
    private static void valueSums(MemorySegment w, long qo, long m, short[] y, int yo, int[] sums) {
        IntVector si0 = IntVector.zero(I512);
        IntVector si1 = IntVector.zero(I512);
        for (int h = 0; h < 4; h++) {
            int half = h / 2;
            int l0 = 16 * (h % 2);
            int ya = yo + 128 * half;
            long ro = qo + 1024L * half;
            ShortVector a0 = ShortVector.zero(S512);
            ShortVector a1 = a0;
            ShortVector a2 = a0;
            ShortVector a3 = a0;
            for (int l = l0; l < l0 + 16; l++) {
                ShortVector x = (ShortVector) ByteVector.fromMemorySegment(B256, w, ro + 32L * l, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                a0 = a0.add(x.and((short) 3).mul(y[ya + l]));
                a1 = a1.add(x.lanewise(VectorOperators.LSHR, 2).and((short) 3).mul(y[ya + 32 + l]));
                a2 = a2.add(x.lanewise(VectorOperators.LSHR, 4).and((short) 3).mul(y[ya + 64 + l]));
                a3 = a3.add(x.lanewise(VectorOperators.LSHR, 6).mul(y[ya + 96 + l]));
            }
            // the four groups' scale runs: 8·half + 2·shift + h%2, low nibbles
            long sr = m + 128 + 32L * (8 * half + h % 2);
            ShortVector s0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector s1 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 64, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector s2 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 128, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector s3 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 192, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            // a group's sum (at most 6,096) times its scale (at most 15) fits an int lane, not a short
            si0 = si0.add(((IntVector) a0.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).and(0x0F)))
                    .add(((IntVector) a1.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s1.convertShape(VectorOperators.S2I, I512, 0)).and(0x0F)))
                    .add(((IntVector) a2.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s2.convertShape(VectorOperators.S2I, I512, 0)).and(0x0F)))
                    .add(((IntVector) a3.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s3.convertShape(VectorOperators.S2I, I512, 0)).and(0x0F)));
            si1 = si1.add(((IntVector) a0.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s0.convertShape(VectorOperators.S2I, I512, 1)).and(0x0F)))
                    .add(((IntVector) a1.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s1.convertShape(VectorOperators.S2I, I512, 1)).and(0x0F)))
                    .add(((IntVector) a2.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s2.convertShape(VectorOperators.S2I, I512, 1)).and(0x0F)))
                    .add(((IntVector) a3.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s3.convertShape(VectorOperators.S2I, I512, 1)).and(0x0F)));
        }
        si0.intoArray(sums, 0);
        si1.intoArray(sums, 16);
    }

    /** Weights {@code k0 .. k1)} (one block) as {@link LaneBatch} decodes them, {@code q·(d·scale) − dmin·min}. */
    private static void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a) {
        int nb = cols / 256;
        int b = k0 / 256;
        Scratch s = SCRATCH.get();
        unpack(w, go + (long) nb * QS_BYTES + (long) META_BYTES * b, s);
        long qo = go + (long) QS_BYTES * b;
        for (int part = 0; part < 2; part++) {
            FloatVector d = FloatVector.fromArray(F512, s.d, 16 * part);
            FloatVector dmin = FloatVector.fromArray(F512, s.dmin, 16 * part);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l++) {
                    ShortVector x = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 1024L * half + 32L * l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    for (int shift = 0; shift < 4; shift++) {
                        int j = ROWS * (8 * half + 2 * shift + l / 16) + 16 * part;
                        FloatVector scale = d.mul((FloatVector)
                                IntVector.fromArray(I512, s.scales, j).convert(VectorOperators.I2F, 0));
                        FloatVector min = dmin.mul((FloatVector)
                                IntVector.fromArray(I512, s.mins, j).convert(VectorOperators.I2F, 0));
                        ((FloatVector) x.lanewise(VectorOperators.LSHR, 2 * shift)
                                        .and((short) 3)
                                        .convertShape(VectorOperators.S2F, F512, part))
                                .mul(scale)
                                .sub(min)
                                .intoArray(a, (128 * half + 32 * shift + l) * ROWS + 16 * part);
                    }
                }
            }
        }
    }
}
