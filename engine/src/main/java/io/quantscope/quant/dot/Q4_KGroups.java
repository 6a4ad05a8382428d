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
 * A Q4_K matrix in groups of 32 rows ({@link RowGroups}), one row per lane. Per group, two regions, each read front to
 * back: first the nibbles, per block 128 runs of 32 bytes where run {@code k} holds byte {@code k} of each row's
 * {@code qs}; then per block 512 bytes: the 32 rows' fp16 {@code d}, their {@code dmin}, and twelve runs holding byte
 * {@code s} of each row's packed scales. The nibbles come apart from the rest because every load of the one-token
 * kernel then steps through memory by the same stride from call to call: with the scales between the blocks' nibbles,
 * the kernel read 7-8 GB/s from memory on one core against 14-17 in cache (the prefetchers seem to follow a load by
 * its stride), and 13-14 GB/s this way.
 *
 * <p>One token: per block and pair of 32-weight groups, each row's {@code Σq·y} in short lanes (sixteen weights per
 * accumulator: at most 16·15·128 = 30,720), then in int lanes times the group's scale, and {@code Σ min·bsum} beside
 * it; per block {@code (d·dy)·Σ − (dmin·dy)·Σmin}. The same integers as ggml's {@code ggml_vec_dot_q4_K_q8_K}, summed
 * in another float order (within float rounding of the reference). A batch gives {@link LaneBatch}'s bits.
 */
final class Q4_KGroups {
    private static final int ROWS = RowGroups.ROWS;
    private static final int QS_BYTES = 128 * ROWS;
    private static final int META_BYTES = 16 * ROWS;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** A thread's unpacked scales (eight runs of 32 shorts) and mins (eight more), and its rows' d and dmin. */
    private static final class Scratch {
        final short[] scales = new short[16 * ROWS];
        final float[] d = new float[ROWS];
        final float[] dmin = new float[ROWS];
    }

    /**
     * The nibble mask and shift count as vectors, for the weights' inner loops: with scalar ones C2 rebuilt the shift
     * count ({@code mov $4; vmovd}) and reloaded the broadcast mask at every step; as vectors the loop keeps them in
     * registers ({@code vpsrlvw}). One core, in L2: ×1.05-1.09 for the one-token kernel (session 19, out of tree).
     */
    private static final ShortVector LOW4 = ShortVector.broadcast(S512, (short) 0x0F);

    private static final ShortVector FOUR = ShortVector.broadcast(S512, (short) 4);

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Q4_KGroups() {}

    /**
     * Group bytes from its 32 rows in the file's layout ({@code cols / 256} blocks of 144 bytes per row); false where a
     * {@code d} or {@code dmin} is infinite or NaN (such a matrix keeps the file's layout).
     */
    static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int nb = cols / 256;
        int rowBytes = 144 * nb;
        int meta0 = dstOff + nb * QS_BYTES;
        for (int b = 0; b < nb; b++) {
            int q = dstOff + QS_BYTES * b;
            int m = meta0 + META_BYTES * b;
            for (int r = 0; r < ROWS; r++) {
                int s = srcOff + r * rowBytes + 144 * b;
                if (!RowGroups.finiteHalf(src, s) || !RowGroups.finiteHalf(src, s + 2)) {
                    return false; // an infinite or NaN d or dmin: unpack's conversion covers finite halves only
                }
                dst[m + 2 * r] = src[s];
                dst[m + 2 * r + 1] = src[s + 1];
                dst[m + 64 + 2 * r] = src[s + 2];
                dst[m + 64 + 2 * r + 1] = src[s + 3];
            }
            RowGroups.toRuns(src, srcOff + 144 * b + 4, rowBytes, 12, dst, m + 128);
            RowGroups.toRuns(src, srcOff + 144 * b + 16, rowBytes, 128, dst, q);
        }
        return true;
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        int nb = cols / 256;
        long go = (long) (r / ROWS) * nb * (QS_BYTES + META_BYTES);
        long meta0 = go + (long) nb * QS_BYTES;
        int lane = r % ROWS;
        byte[] bytes = new byte[144 * nb];
        for (int b = 0; b < nb; b++) {
            long m = meta0 + (long) META_BYTES * b;
            long q = go + (long) QS_BYTES * b;
            bytes[144 * b] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane);
            bytes[144 * b + 1] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane + 1);
            bytes[144 * b + 2] = w.get(ValueLayout.JAVA_BYTE, m + 64 + 2 * lane);
            bytes[144 * b + 3] = w.get(ValueLayout.JAVA_BYTE, m + 64 + 2 * lane + 1);
            RowGroups.fromRuns(w, m + 128, lane, 12, bytes, 144 * b + 4);
            RowGroups.fromRuns(w, q, lane, 128, bytes, 144 * b + 16);
        }
        Codecs.of(GgmlType.Q4_K).dequantizeRow(bytes, 0, cols, out, off);
    }

    /**
     * A block's 32 rows: their eight 6-bit scales ({@code scales[32·j + r]}) and eight mins ({@code [256 + 32·j + r]})
     * unpacked as ggml's {@code get_scale_min_k4} does, in short lanes; {@code d} and {@code dmin} as floats.
     */
    private static void unpack(MemorySegment w, long m, Scratch s) {
        short[] out = s.scales;
        // written out: an array of vectors, or a helper returning one, is not always kept in registers by C2
        ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 128, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 160, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q2 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 192, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q3 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 224, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q4 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 256, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q5 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 288, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q6 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 320, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q7 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 352, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q8 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 384, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q9 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 416, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q10 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 448, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        ShortVector q11 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 480, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
        q0.and((short) 63).intoArray(out, 0);
        q4.and((short) 63).intoArray(out, 256);
        q8.and((short) 0x0F)
                .or(q0.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 128);
        q8.lanewise(VectorOperators.LSHR, 4)
                .or(q4.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 384);
        q1.and((short) 63).intoArray(out, 32);
        q5.and((short) 63).intoArray(out, 288);
        q9.and((short) 0x0F)
                .or(q1.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 160);
        q9.lanewise(VectorOperators.LSHR, 4)
                .or(q5.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 416);
        q2.and((short) 63).intoArray(out, 64);
        q6.and((short) 63).intoArray(out, 320);
        q10.and((short) 0x0F)
                .or(q2.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 192);
        q10.lanewise(VectorOperators.LSHR, 4)
                .or(q6.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 448);
        q3.and((short) 63).intoArray(out, 96);
        q7.and((short) 63).intoArray(out, 352);
        q11.and((short) 0x0F)
                .or(q3.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 224);
        q11.lanewise(VectorOperators.LSHR, 4)
                .or(q7.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                .intoArray(out, 480);
        // by vector lanes, in place of 64 scalar conversions: in L2, one core, ×1.07-1.10 for the whole one-token
        // kernel (session 18, out-of-tree harness); finite halves only (repackGroup)
        RowGroups.halvesToFloats(w, m, s.d);
        RowGroups.halvesToFloats(w, m + 64, s.dmin);
    }

    static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        long groupBytes = (long) (cols / 256) * (QS_BYTES + META_BYTES);
        if (in.lanePad > 0) {
            GroupBatch.run(Q4_KGroups::decode, w, g0, g1, cols, groupBytes, in, out, stride);
            return;
        }
        for (int t = 0; t < in.rows; t++) {
            oneToken(w, g0, g1, cols / 256, in, t, out, t * stride);
        }
    }

    /** Groups {@code g0 .. g1)} · token {@code t} of {@code in}. */
    private static void oneToken(
            MemorySegment w, int g0, int g1, int nb, InputRows in, int t, float[] out, int outOff) {
        short[] y = in.qsh;
        int[] bsums = in.bsums;
        Scratch s = SCRATCH.get();
        short[] sc = s.scales;
        long groupBytes = (long) nb * (QS_BYTES + META_BYTES);
        for (int g = g0; g < g1; g++) {
            long go = g * groupBytes;
            long meta0 = go + (long) nb * QS_BYTES;
            FloatVector acc0 = FloatVector.zero(F512);
            FloatVector acc1 = FloatVector.zero(F512);
            for (int b = 0; b < nb; b++) {
                unpack(w, meta0 + (long) META_BYTES * b, s);
                long qo = go + (long) QS_BYTES * b;
                int yo = (t * nb + b) * 256;
                int bo = (t * nb + b) * 16;
                IntVector si0 = IntVector.zero(I512);
                IntVector si1 = IntVector.zero(I512);
                IntVector sm0 = IntVector.zero(I512);
                IntVector sm1 = IntVector.zero(I512);
                for (int p = 0; p < 4; p++) {
                    // groups 2p (low nibbles) and 2p+1 (high), sixteen weights per short accumulator
                    ShortVector lo0 = ShortVector.zero(S512);
                    ShortVector hi0 = lo0;
                    ShortVector lo1 = lo0;
                    ShortVector hi1 = lo0;
                    long ro = qo + 1024L * p;
                    int ya = yo + 64 * p;
                    for (int l = 0; l < 16; l++) {
                        ShortVector x = (ShortVector) ByteVector.fromMemorySegment(B256, w, ro + 32L * l, LE)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                        lo0 = lo0.add(x.and(LOW4).mul(y[ya + l]));
                        hi0 = hi0.add(x.lanewise(VectorOperators.LSHR, FOUR).mul(y[ya + 32 + l]));
                    }
                    for (int l = 16; l < 32; l++) {
                        ShortVector x = (ShortVector) ByteVector.fromMemorySegment(B256, w, ro + 32L * l, LE)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                        lo1 = lo1.add(x.and(LOW4).mul(y[ya + l]));
                        hi1 = hi1.add(x.lanewise(VectorOperators.LSHR, FOUR).mul(y[ya + 32 + l]));
                    }
                    ShortVector scLo = ShortVector.fromArray(S512, sc, 64 * p);
                    ShortVector scHi = ShortVector.fromArray(S512, sc, 64 * p + 32);
                    ShortVector mLo = ShortVector.fromArray(S512, sc, 256 + 64 * p);
                    ShortVector mHi = ShortVector.fromArray(S512, sc, 256 + 64 * p + 32);
                    int bsLo = bsums[bo + 4 * p] + bsums[bo + 4 * p + 1];
                    int bsHi = bsums[bo + 4 * p + 2] + bsums[bo + 4 * p + 3];
                    si0 = si0.add(((IntVector) lo0.convertShape(VectorOperators.S2I, I512, 0))
                                    .add((IntVector) lo1.convertShape(VectorOperators.S2I, I512, 0))
                                    .mul((IntVector) scLo.convertShape(VectorOperators.S2I, I512, 0)))
                            .add(((IntVector) hi0.convertShape(VectorOperators.S2I, I512, 0))
                                    .add((IntVector) hi1.convertShape(VectorOperators.S2I, I512, 0))
                                    .mul((IntVector) scHi.convertShape(VectorOperators.S2I, I512, 0)));
                    si1 = si1.add(((IntVector) lo0.convertShape(VectorOperators.S2I, I512, 1))
                                    .add((IntVector) lo1.convertShape(VectorOperators.S2I, I512, 1))
                                    .mul((IntVector) scLo.convertShape(VectorOperators.S2I, I512, 1)))
                            .add(((IntVector) hi0.convertShape(VectorOperators.S2I, I512, 1))
                                    .add((IntVector) hi1.convertShape(VectorOperators.S2I, I512, 1))
                                    .mul((IntVector) scHi.convertShape(VectorOperators.S2I, I512, 1)));
                    sm0 = sm0.add(((IntVector) mLo.convertShape(VectorOperators.S2I, I512, 0)).mul(bsLo))
                            .add(((IntVector) mHi.convertShape(VectorOperators.S2I, I512, 0)).mul(bsHi));
                    sm1 = sm1.add(((IntVector) mLo.convertShape(VectorOperators.S2I, I512, 1)).mul(bsLo))
                            .add(((IntVector) mHi.convertShape(VectorOperators.S2I, I512, 1)).mul(bsHi));
                }
                float dy = in.d[t * nb + b];
                acc0 = acc0.add(FloatVector.fromArray(F512, s.d, 0).mul(dy).mul((FloatVector)
                                si0.convert(VectorOperators.I2F, 0)))
                        .sub(FloatVector.fromArray(F512, s.dmin, 0).mul(dy).mul((FloatVector)
                                sm0.convert(VectorOperators.I2F, 0)));
                acc1 = acc1.add(FloatVector.fromArray(F512, s.d, 16).mul(dy).mul((FloatVector)
                                si1.convert(VectorOperators.I2F, 0)))
                        .sub(FloatVector.fromArray(F512, s.dmin, 16).mul(dy).mul((FloatVector)
                                sm1.convert(VectorOperators.I2F, 0)));
            }
            acc0.intoArray(out, outOff + ROWS * g);
            acc1.intoArray(out, outOff + ROWS * g + 16);
        }
    }

    /**
     * Weights {@code k0 .. k1)} (one block: {@link GroupBatch#KB} is 256) as {@link LaneBatch} decodes them,
     * {@code q·(d·scale) − dmin·min}: weight {@code k0 + j} of row {@code r} at {@code j·32 + r}.
     */
    private static void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a) {
        int nb = cols / 256;
        int b = k0 / 256;
        Scratch s = SCRATCH.get();
        unpack(w, go + (long) nb * QS_BYTES + (long) META_BYTES * b, s);
        long qo = go + (long) QS_BYTES * b;
        short[] sc = s.scales;
        for (int half = 0; half < 2; half++) {
            FloatVector d = FloatVector.fromArray(F512, s.d, 16 * half);
            FloatVector dmin = FloatVector.fromArray(F512, s.dmin, 16 * half);
            for (int p = 0; p < 4; p++) {
                FloatVector dLo = d.mul((FloatVector)
                        ShortVector.fromArray(S512, sc, ROWS * 2 * p).convertShape(VectorOperators.S2F, F512, half));
                FloatVector dHi = d.mul((FloatVector) ShortVector.fromArray(S512, sc, ROWS * (2 * p + 1))
                        .convertShape(VectorOperators.S2F, F512, half));
                FloatVector mLo = dmin.mul((FloatVector) ShortVector.fromArray(S512, sc, 256 + ROWS * 2 * p)
                        .convertShape(VectorOperators.S2F, F512, half));
                FloatVector mHi = dmin.mul((FloatVector) ShortVector.fromArray(S512, sc, 256 + ROWS * (2 * p + 1))
                        .convertShape(VectorOperators.S2F, F512, half));
                for (int l = 0; l < 32; l++) {
                    ShortVector x = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 1024L * p + 32L * l, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    ((FloatVector) x.and(LOW4).convertShape(VectorOperators.S2F, F512, half))
                            .mul(dLo)
                            .sub(mLo)
                            .intoArray(a, (64 * p + l) * ROWS + 16 * half);
                    ((FloatVector) x.lanewise(VectorOperators.LSHR, FOUR).convertShape(VectorOperators.S2F, F512, half))
                            .mul(dHi)
                            .sub(mHi)
                            .intoArray(a, (64 * p + 32 + l) * ROWS + 16 * half);
                }
            }
        }
    }
}
