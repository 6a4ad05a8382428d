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
 * A Q3_K matrix in groups of 32 rows ({@link RowGroups}), one row per lane, in two regions as {@link Q2_KGroups}: per
 * block 96 runs of 32 bytes (run {@code k} holds byte {@code k} of each row's first 96: the 32 high-bit mask bytes,
 * then the 64 bytes of two-bit values), then per block 448 bytes: the 32 rows' fp16 {@code d} and twelve runs of their
 * packed 6-bit scales.
 *
 * <p>One token: a value is {@code q + 4h − 4} (two bits {@code q}, high bit {@code h}). Per block, each group of
 * sixteen weights sums {@code (q + 4h)·y} in a short lane (at most 16·7·127 = 14,224), takes back {@code 4·Σy} (the
 * activations' sum of 16), which leaves the group's {@code Σ value·y} (at most 16·4·127 = 8,128 in magnitude), then
 * meets its scale in int lanes; per block {@code (d·dy)·Σ}. The same integers as ggml's
 * {@code ggml_vec_dot_q3_K_q8_K}, summed in another float order. A batch gives {@link LaneBatch}'s bits. One core,
 * 512 rows × 5632 columns alternating in one JVM: ×1.62 against {@link LaneDots#q3_KShorts} on the file's layout
 * (session 20; keeping the scales in a scratch array per block instead of registers gave ×1.5, a separate method for
 * each quarter of a block ×1.3).
 */
final class Q3_KGroups {
    private static final int ROWS = RowGroups.ROWS;
    private static final int QS_BYTES = 96 * ROWS;
    private static final int META_BYTES = 14 * ROWS;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** A thread's rows' sixteen scales (runs of 32 ints, already minus 32) and d for a batch, and a block's sums. */
    private static final class Scratch {
        final int[] scales = new int[16 * ROWS];
        final float[] d = new float[ROWS];
        final int[] sums = new int[ROWS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Q3_KGroups() {}

    /**
     * Group bytes from its 32 rows in the file's layout ({@code cols / 256} blocks of 110 bytes per row); false where a
     * {@code d} is infinite or NaN (such a matrix keeps the file's layout).
     */
    static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int nb = cols / 256;
        int rowBytes = 110 * nb;
        int meta0 = dstOff + nb * QS_BYTES;
        for (int b = 0; b < nb; b++) {
            int m = meta0 + META_BYTES * b;
            for (int r = 0; r < ROWS; r++) {
                int s = srcOff + r * rowBytes + 110 * b;
                if (!RowGroups.finiteHalf(src, s + 108)) {
                    return false; // an infinite or NaN d: the kernel's conversion covers finite halves only
                }
                dst[m + 2 * r] = src[s + 108];
                dst[m + 2 * r + 1] = src[s + 109];
            }
            RowGroups.toRuns(src, srcOff + 110 * b + 96, rowBytes, 12, dst, m + 64);
            RowGroups.toRuns(src, srcOff + 110 * b, rowBytes, 96, dst, dstOff + QS_BYTES * b);
        }
        return true;
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        int nb = cols / 256;
        long go = (long) (r / ROWS) * nb * (QS_BYTES + META_BYTES);
        long meta0 = go + (long) nb * QS_BYTES;
        int lane = r % ROWS;
        byte[] bytes = new byte[110 * nb];
        for (int b = 0; b < nb; b++) {
            long m = meta0 + (long) META_BYTES * b;
            RowGroups.fromRuns(w, go + (long) QS_BYTES * b, lane, 96, bytes, 110 * b);
            RowGroups.fromRuns(w, m + 64, lane, 12, bytes, 110 * b + 96);
            bytes[110 * b + 108] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane);
            bytes[110 * b + 109] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane + 1);
        }
        Codecs.of(GgmlType.Q3_K).dequantizeRow(bytes, 0, cols, out, off);
    }

    static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        long groupBytes = (long) (cols / 256) * (QS_BYTES + META_BYTES);
        if (in.lanePad > 0) {
            GroupBatch.run(Q3_KGroups::decode, w, g0, g1, cols, groupBytes, in, out, stride);
            return;
        }
        for (int t = 0; t < in.rows; t++) {
            oneToken(w, g0, g1, cols / 256, in, t, out, t * stride);
        }
    }

    /**
     * Groups {@code g0 .. g1)} · token {@code t} of {@code in}. The block's integer sums come from a method that hands
     * back an array, not vectors, as {@link Q2_KGroups} does.
     */
    private static void oneToken(
            MemorySegment w, int g0, int g1, int nb, InputRows in, int t, float[] out, int outOff) {
        Scratch s = SCRATCH.get();
        long groupBytes = (long) nb * (QS_BYTES + META_BYTES);
        for (int g = g0; g < g1; g++) {
            long go = g * groupBytes;
            long meta0 = go + (long) nb * QS_BYTES;
            FloatVector acc0 = FloatVector.zero(F512);
            FloatVector acc1 = FloatVector.zero(F512);
            for (int b = 0; b < nb; b++) {
                long m = meta0 + (long) META_BYTES * b;
                int yb = t * nb + b;
                valueSums(w, go + (long) QS_BYTES * b, m, in.qsh, 256 * yb, in.bsums, 16 * yb, s.sums);
                // d of the 32 rows by the fp16 bit trick (finite scales only: repackGroup), written out: through
                // RowGroups.halvesToFloats and a scratch array, generation on the 1.1B Q2_K/Q6_K read lower in two of
                // three alternating runs (session 21 review), though one core alone showed no difference
                ShortVector hd = ShortVector.fromMemorySegment(S512, w, m, LE);
                FloatVector dy = FloatVector.broadcast(F512, in.d[yb]);
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
                acc0 = d0.mul(dy)
                        .fma((FloatVector) IntVector.fromArray(I512, s.sums, 0).convert(VectorOperators.I2F, 0), acc0);
                acc1 = d1.mul(dy)
                        .fma((FloatVector) IntVector.fromArray(I512, s.sums, 16).convert(VectorOperators.I2F, 0), acc1);
            }
            acc0.intoArray(out, outOff + ROWS * g);
            acc1.intoArray(out, outOff + ROWS * g + 16);
        }
    }

    /**
     * A block's sixteen scales of the 32 rows, already minus 32, into {@code scales[32·j + r]}: scale {@code j}'s low
     * four bits are nibble {@code j / 8} of scale run {@code j % 8}, its high two bits {@code 2·(j / 4)} of run
     * {@code 8 + j % 4}. Every shift is a constant: with shift counts C2 could not see as constants,
     * {@code ShortVector.lanewiseTemplate} showed up in the profile as a call.
     */
    private static void scales(MemorySegment w, long m, int[] scales) {
        for (int k = 0; k < 4; k++) {
            ShortVector lo = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 64 + 32L * k, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector lo4 = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 64 + 32L * (k + 4), LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector hi = (ShortVector) ByteVector.fromMemorySegment(B256, w, m + 64 + 32L * (k + 8), LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector s0 = lo.and((short) 0x0F)
                    .or(hi.lanewise(VectorOperators.LSHL, 4).and((short) 0x30))
                    .sub((short) 32);
            ShortVector s4 = lo4.and((short) 0x0F)
                    .or(hi.lanewise(VectorOperators.LSHL, 2).and((short) 0x30))
                    .sub((short) 32);
            ShortVector s8 = lo.lanewise(VectorOperators.LSHR, 4)
                    .or(hi.and((short) 0x30))
                    .sub((short) 32);
            ShortVector s12 = lo4.lanewise(VectorOperators.LSHR, 4)
                    .or(hi.lanewise(VectorOperators.LSHR, 2).and((short) 0x30))
                    .sub((short) 32);
            ((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).intoArray(scales, ROWS * k);
            ((IntVector) s0.convertShape(VectorOperators.S2I, I512, 1)).intoArray(scales, ROWS * k + 16);
            ((IntVector) s4.convertShape(VectorOperators.S2I, I512, 0)).intoArray(scales, ROWS * (k + 4));
            ((IntVector) s4.convertShape(VectorOperators.S2I, I512, 1)).intoArray(scales, ROWS * (k + 4) + 16);
            ((IntVector) s8.convertShape(VectorOperators.S2I, I512, 0)).intoArray(scales, ROWS * (k + 8));
            ((IntVector) s8.convertShape(VectorOperators.S2I, I512, 1)).intoArray(scales, ROWS * (k + 8) + 16);
            ((IntVector) s12.convertShape(VectorOperators.S2I, I512, 0)).intoArray(scales, ROWS * (k + 12));
            ((IntVector) s12.convertShape(VectorOperators.S2I, I512, 1)).intoArray(scales, ROWS * (k + 12) + 16);
        }
    }

    /**
     * A block's {@code Σ scale·value·y} of the 32 rows into {@code sums}: per group of sixteen weights
     * {@code Σ (q + 4h)·y − 4·Σy} in a short lane (at most 8,128 in magnitude), then times its scale in int lanes.
     * Value {@code 128n + 32s + l} (group {@code 8n + 2s + l / 16}) has its two bits at {@code 2s} in value byte
     * {@code 32n + l} (run {@code 32 + 32n + l}) and its high bit at {@code 4n + s} in mask byte {@code l} (run
     * {@code l}); both halves {@code n} at once, so each mask run is read once and every shift is a constant. The
     * eight groups' scales of each half of the sixteen {@code l} are cut from their runs in registers.
     */
    private static void valueSums(
            MemorySegment w, long qo, long m, short[] y, int yo, int[] bsums, int bo, int[] sums) {
        IntVector si0 = IntVector.zero(I512);
        IntVector si1 = IntVector.zero(I512);
        for (int lh = 0; lh < 2; lh++) {
            ShortVector a0 = ShortVector.zero(S512);
            ShortVector a1 = a0;
            ShortVector a2 = a0;
            ShortVector a3 = a0;
            ShortVector a4 = a0;
            ShortVector a5 = a0;
            ShortVector a6 = a0;
            ShortVector a7 = a0;
            for (int l = 16 * lh; l < 16 * lh + 16; l++) {
                ShortVector hm = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 32L * l, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector x0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 32L * (32 + l), LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector x1 = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 32L * (64 + l), LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                // value s of half n: two bits from x_n at 2s, its mask bit 4n + s moved to bit 2
                a0 = a0.add(x0.and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHL, 2).and((short) 4))
                        .mul(y[yo + l]));
                a1 = a1.add(x0.lanewise(VectorOperators.LSHR, 2)
                        .and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHL, 1).and((short) 4))
                        .mul(y[yo + 32 + l]));
                a2 = a2.add(x0.lanewise(VectorOperators.LSHR, 4)
                        .and((short) 3)
                        .or(hm.and((short) 4))
                        .mul(y[yo + 64 + l]));
                a3 = a3.add(x0.lanewise(VectorOperators.LSHR, 6)
                        .or(hm.lanewise(VectorOperators.LSHR, 1).and((short) 4))
                        .mul(y[yo + 96 + l]));
                a4 = a4.add(x1.and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHR, 2).and((short) 4))
                        .mul(y[yo + 128 + l]));
                a5 = a5.add(x1.lanewise(VectorOperators.LSHR, 2)
                        .and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHR, 3).and((short) 4))
                        .mul(y[yo + 160 + l]));
                a6 = a6.add(x1.lanewise(VectorOperators.LSHR, 4)
                        .and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHR, 4).and((short) 4))
                        .mul(y[yo + 192 + l]));
                a7 = a7.add(x1.lanewise(VectorOperators.LSHR, 6)
                        .or(hm.lanewise(VectorOperators.LSHR, 5).and((short) 4))
                        .mul(y[yo + 224 + l]));
            }
            // accumulator 4n + s holds group 8n + 2s + lh; the 4 each value lacks comes back from the sums of 16
            a0 = a0.sub((short) (4 * bsums[bo + lh]));
            a1 = a1.sub((short) (4 * bsums[bo + lh + 2]));
            a2 = a2.sub((short) (4 * bsums[bo + lh + 4]));
            a3 = a3.sub((short) (4 * bsums[bo + lh + 6]));
            a4 = a4.sub((short) (4 * bsums[bo + lh + 8]));
            a5 = a5.sub((short) (4 * bsums[bo + lh + 10]));
            a6 = a6.sub((short) (4 * bsums[bo + lh + 12]));
            a7 = a7.sub((short) (4 * bsums[bo + lh + 14]));
            // the eight groups' scales, in registers (constant shifts): group 8n + 2s + lh has its low four bits in
            // nibble n of scale run 2s + lh and its high two at 2·(2n + s/2) of run 8 + 2·(s % 2) + lh
            long sr = m + 64 + 32L * lh;
            ShortVector r0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector r2 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 64, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector r4 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 128, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector r6 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 192, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector t0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 256, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector t2 = (ShortVector) ByteVector.fromMemorySegment(B256, w, sr + 320, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector s0 =
                    r0.and((short) 0x0F).or(t0.lanewise(VectorOperators.LSHL, 4).and((short) 0x30));
            ShortVector s1 =
                    r2.and((short) 0x0F).or(t2.lanewise(VectorOperators.LSHL, 4).and((short) 0x30));
            ShortVector s2 =
                    r4.and((short) 0x0F).or(t0.lanewise(VectorOperators.LSHL, 2).and((short) 0x30));
            ShortVector s3 =
                    r6.and((short) 0x0F).or(t2.lanewise(VectorOperators.LSHL, 2).and((short) 0x30));
            ShortVector s4 = r0.lanewise(VectorOperators.LSHR, 4).or(t0.and((short) 0x30));
            ShortVector s5 = r2.lanewise(VectorOperators.LSHR, 4).or(t2.and((short) 0x30));
            ShortVector s6 = r4.lanewise(VectorOperators.LSHR, 4)
                    .or(t0.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
            ShortVector s7 = r6.lanewise(VectorOperators.LSHR, 4)
                    .or(t2.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
            // a group's sum (at most 8,128 in magnitude) times its scale (at most 32) fits an int lane, not a short
            si0 = si0.add(((IntVector) a0.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a1.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s1.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a2.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s2.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a3.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s3.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a4.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s4.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a5.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s5.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a6.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s6.convertShape(VectorOperators.S2I, I512, 0)).sub(32)))
                    .add(((IntVector) a7.convertShape(VectorOperators.S2I, I512, 0))
                            .mul(((IntVector) s7.convertShape(VectorOperators.S2I, I512, 0)).sub(32)));
            si1 = si1.add(((IntVector) a0.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s0.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a1.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s1.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a2.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s2.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a3.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s3.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a4.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s4.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a5.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s5.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a6.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s6.convertShape(VectorOperators.S2I, I512, 1)).sub(32)))
                    .add(((IntVector) a7.convertShape(VectorOperators.S2I, I512, 1))
                            .mul(((IntVector) s7.convertShape(VectorOperators.S2I, I512, 1)).sub(32)));
        }
        si0.intoArray(sums, 0);
        si1.intoArray(sums, 16);
    }

    /** Weights {@code k0 .. k1)} (one block) as {@link LaneBatch} decodes them, {@code value·(d·scale)}. */
    private static void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a) {
        int nb = cols / 256;
        int b = k0 / 256;
        Scratch s = SCRATCH.get();
        long m = go + (long) nb * QS_BYTES + (long) META_BYTES * b;
        scales(w, m, s.scales);
        RowGroups.halvesToFloats(w, m, s.d);
        long qo = go + (long) QS_BYTES * b;
        for (int part = 0; part < 2; part++) {
            FloatVector d = FloatVector.fromArray(F512, s.d, 16 * part);
            for (int l = 0; l < 32; l++) {
                ShortVector hm = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 32L * l, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector x0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 32L * (32 + l), LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector x1 = (ShortVector) ByteVector.fromMemorySegment(B256, w, qo + 32L * (64 + l), LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                // value 128n + 32s + l: q + 4h − 4 (mask bit 4n + s moved to bit 2), group 8n + 2s + l / 16;
                // written out, as a helper taking vectors may be compiled as a call that boxes them
                int j = ROWS * (l / 16) + 16 * part;
                int at = l * ROWS + 16 * part;
                ShortVector v0 = x0.and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHL, 2).and((short) 4));
                ShortVector v1 = x0.lanewise(VectorOperators.LSHR, 2)
                        .and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHL, 1).and((short) 4));
                ShortVector v2 =
                        x0.lanewise(VectorOperators.LSHR, 4).and((short) 3).or(hm.and((short) 4));
                ShortVector v3 = x0.lanewise(VectorOperators.LSHR, 6)
                        .or(hm.lanewise(VectorOperators.LSHR, 1).and((short) 4));
                ShortVector v4 = x1.and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHR, 2).and((short) 4));
                ShortVector v5 = x1.lanewise(VectorOperators.LSHR, 2)
                        .and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHR, 3).and((short) 4));
                ShortVector v6 = x1.lanewise(VectorOperators.LSHR, 4)
                        .and((short) 3)
                        .or(hm.lanewise(VectorOperators.LSHR, 4).and((short) 4));
                ShortVector v7 = x1.lanewise(VectorOperators.LSHR, 6)
                        .or(hm.lanewise(VectorOperators.LSHR, 5).and((short) 4));
                ((FloatVector) v0.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector)
                                IntVector.fromArray(I512, s.scales, j).convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at);
                ((FloatVector) v1.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 2 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 32 * ROWS);
                ((FloatVector) v2.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 4 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 64 * ROWS);
                ((FloatVector) v3.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 6 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 96 * ROWS);
                ((FloatVector) v4.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 8 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 128 * ROWS);
                ((FloatVector) v5.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 10 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 160 * ROWS);
                ((FloatVector) v6.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 12 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 192 * ROWS);
                ((FloatVector) v7.sub((short) 4).convertShape(VectorOperators.S2F, F512, part))
                        .mul(d.mul((FloatVector) IntVector.fromArray(I512, s.scales, j + 14 * ROWS)
                                .convert(VectorOperators.I2F, 0)))
                        .intoArray(a, at + 224 * ROWS);
            }
        }
    }
}
