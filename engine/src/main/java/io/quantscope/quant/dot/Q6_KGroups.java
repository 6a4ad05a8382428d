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
 * A Q6_K matrix in groups of 32 rows ({@link RowGroups}), one row per lane, in two regions as {@link Q4_KGroups}: per
 * block 192 runs of 32 bytes holding byte {@code k} of each row's first 192 (128 bytes of low nibbles, 64 of high bit
 * pairs) in the order the kernels read them, {@code (j, l)} for {@code j < 2}, {@code l < 32}: low-nibble bytes
 * {@code 64j + l} and {@code 64j + 32 + l}, then high-bit byte {@code 128 + 32j + l}; then per block 576 bytes, the 32
 * rows' fp16 {@code d} and sixteen runs of their signed 8-bit scales. So each load of the one-token kernel steps by one
 * stride from block to block. One core reading a 32,000 × 2048 matrix (54 MB, from memory) ran at 8 GB/s with the
 * runs in the file's order, 7-8 with the scales between the blocks' runs, 13-15 this way; the file's layout 17.
 *
 * <p>One token: a value is {@code q − 32} (six bits {@code q}). Eight weights of a group of sixteen sum {@code q·y} in
 * a short lane, which wraps (up to 8·63·127), and then take back {@code 32·Σy} of the same eight: what is left, the
 * eight weights' {@code Σ (q − 32)·y}, is at most 8·32·127 = 32,512 in magnitude, so the wrapped short holds it
 * exactly. It meets its scale in int lanes; per block {@code (d·dy)·Σ}. The same integers as ggml's
 * {@code ggml_vec_dot_q6_K_q8_K}, summed in another float order. A batch gives {@link LaneBatch}'s bits.
 */
final class Q6_KGroups {
    private static final int ROWS = RowGroups.ROWS;
    private static final int BLOCK = 210;
    /** A block's value runs. */
    private static final int QS_BYTES = 192 * ROWS;
    /** A block's d (64 bytes) and sixteen scale runs. */
    private static final int META_BYTES = 18 * ROWS;

    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** A block's sums, and a batch block's d and {@code d·scale}. */
    private static final class Scratch {
        final int[] sums = new int[ROWS];
        final float[] d = new float[ROWS];
        final float[] dScales = new float[16 * ROWS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Q6_KGroups() {}

    /**
     * Group bytes from its 32 rows in the file's layout ({@code cols / 256} blocks of 210 bytes per row); false where a
     * {@code d} is infinite or NaN (such a matrix keeps the file's layout).
     */
    static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int nb = cols / 256;
        int rowBytes = BLOCK * nb;
        for (int b = 0; b < nb; b++) {
            int m = dstOff + nb * QS_BYTES + META_BYTES * b;
            for (int r = 0; r < ROWS; r++) {
                int s = srcOff + r * rowBytes + BLOCK * b;
                if (!RowGroups.finiteHalf(src, s + 208)) {
                    return false; // an infinite or NaN d: the kernel's conversion covers finite halves only
                }
                dst[m + 2 * r] = src[s + 208];
                dst[m + 2 * r + 1] = src[s + 209];
            }
            int from = srcOff + BLOCK * b;
            RowGroups.toRuns(src, from + 192, rowBytes, 16, dst, m + 2 * ROWS);
            RowGroups.toRuns(src, from, rowBytes, 192, Q6_KGroups::run, dst, dstOff + QS_BYTES * b);
        }
        return true;
    }

    /** The run, within a block's value runs, that holds byte {@code k} (below 192) of the rows. */
    private static int run(int k) {
        if (k >= 128) {
            return 3 * (k - 128) + 2; // high bits of (j, l) = ((k − 128) / 32, (k − 128) % 32)
        }
        int j = k / 64;
        int l = k % 32;
        return 3 * (32 * j + l) + (k % 64) / 32;
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        int nb = cols / 256;
        long go = (long) (r / ROWS) * nb * (QS_BYTES + META_BYTES);
        int lane = r % ROWS;
        byte[] bytes = new byte[BLOCK * nb];
        for (int b = 0; b < nb; b++) {
            long m = go + (long) nb * QS_BYTES + (long) META_BYTES * b;
            RowGroups.fromRuns(w, go + (long) QS_BYTES * b, lane, 192, Q6_KGroups::run, bytes, BLOCK * b);
            RowGroups.fromRuns(w, m + 2 * ROWS, lane, 16, bytes, BLOCK * b + 192);
            bytes[BLOCK * b + 208] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane);
            bytes[BLOCK * b + 209] = w.get(ValueLayout.JAVA_BYTE, m + 2 * lane + 1);
        }
        Codecs.of(GgmlType.Q6_K).dequantizeRow(bytes, 0, cols, out, off);
    }

    static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        long groupBytes = (long) (cols / 256) * (QS_BYTES + META_BYTES);
        if (in.lanePad > 0) {
            GroupBatch.run(Q6_KGroups::decode, w, g0, g1, cols, groupBytes, in, out, stride);
            return;
        }
        for (int t = 0; t < in.rows; t++) {
            oneToken(w, g0, g1, cols / 256, in, t, out, t * stride);
        }
    }

    /** Groups {@code g0 .. g1)} · token {@code t} of {@code in}. */
    private static void oneToken(
            MemorySegment w, int g0, int g1, int nb, InputRows in, int t, float[] out, int outOff) {
        Scratch s = SCRATCH.get();
        short[] y = in.qsh;
        short[] y8 = in.q6Offsets;
        long groupBytes = (long) nb * (QS_BYTES + META_BYTES);
        for (int g = g0; g < g1; g++) {
            long go = g * groupBytes;
            FloatVector acc0 = FloatVector.zero(F512);
            FloatVector acc1 = FloatVector.zero(F512);
            for (int b = 0; b < nb; b++) {
                long m = go + (long) nb * QS_BYTES + (long) META_BYTES * b;
                int yb = t * nb + b;
                valueSums(w, go + (long) QS_BYTES * b, m, y, 256 * yb, y8, 32 * yb, s.sums);
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
     * A block's {@code Σ scale·Σ(q − 32)·y} of the 32 rows into {@code sums}. Value {@code 128j + 32s + l} (group
     * {@code 8j + 2s + l / 16}) has its low four bits in nibble {@code s / 2} of byte {@code 64j + 32·(s % 2) + l} and
     * its high two at {@code 2s} of byte {@code 128 + 32j + l}; the four values {@code s} of each {@code l} at once, so
     * each high-bit run is read once and every shift is a constant. Eight {@code l} at a time, the most a short lane
     * holds.
     */
    private static void valueSums(MemorySegment w, long qo, long m, short[] y, int yo, short[] y8, int o8, int[] sums) {
        IntVector si0 = IntVector.zero(I512);
        IntVector si1 = IntVector.zero(I512);
        for (int j = 0; j < 2; j++) {
            for (int c = 0; c < 4; c++) {
                ShortVector a0 = ShortVector.zero(S512);
                ShortVector a1 = a0;
                ShortVector a2 = a0;
                ShortVector a3 = a0;
                int yj = yo + 128 * j;
                for (int l = 8 * c; l < 8 * c + 8; l++) {
                    long at = qo + 96L * (32 * j + l);
                    ShortVector lo = (ShortVector) ByteVector.fromMemorySegment(B256, w, at, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    ShortVector hi = (ShortVector) ByteVector.fromMemorySegment(B256, w, at + 32, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    ShortVector h = (ShortVector) ByteVector.fromMemorySegment(B256, w, at + 64, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    // products wrap in the short lanes; the offsets taken back below leave the exact sums
                    a0 = a0.add(lo.and((short) 0x0F)
                            .or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x30))
                            .mul(y[yj + l]));
                    a1 = a1.add(hi.and((short) 0x0F)
                            .or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x30))
                            .mul(y[yj + 32 + l]));
                    a2 = a2.add(lo.lanewise(VectorOperators.LSHR, 4)
                            .or(h.and((short) 0x30))
                            .mul(y[yj + 64 + l]));
                    a3 = a3.add(hi.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 2).and((short) 0x30))
                            .mul(y[yj + 96 + l]));
                }
                // eight activations' sums times 32: sum 16j + 4s + c holds values 128j + 32s + 8c .. +8
                int e = o8 + 16 * j + c;
                a0 = a0.sub(y8[e]);
                a1 = a1.sub(y8[e + 4]);
                a2 = a2.sub(y8[e + 8]);
                a3 = a3.sub(y8[e + 12]);
                // group 8j + 2s + c / 2: its 32 scales from run 8j + 2s + c / 2, sign-extended
                long sr = m + 64 + 32L * (8 * j + c / 2);
                si0 = si0.add(((IntVector) a0.convertShape(VectorOperators.S2I, I512, 0))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)))
                        .add(((IntVector) a1.convertShape(VectorOperators.S2I, I512, 0))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 64, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)))
                        .add(((IntVector) a2.convertShape(VectorOperators.S2I, I512, 0))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 128, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)))
                        .add(((IntVector) a3.convertShape(VectorOperators.S2I, I512, 0))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 192, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)));
                si1 = si1.add(((IntVector) a0.convertShape(VectorOperators.S2I, I512, 1))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 16, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)))
                        .add(((IntVector) a1.convertShape(VectorOperators.S2I, I512, 1))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 80, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)))
                        .add(((IntVector) a2.convertShape(VectorOperators.S2I, I512, 1))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 144, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)))
                        .add(((IntVector) a3.convertShape(VectorOperators.S2I, I512, 1))
                                .mul((IntVector) ByteVector.fromMemorySegment(B128, w, sr + 208, LE)
                                        .convertShape(VectorOperators.B2I, I512, 0)));
            }
        }
        si0.intoArray(sums, 0);
        si1.intoArray(sums, 16);
    }

    /** Weights {@code k0 .. k1)} (one block) as {@link LaneBatch} decodes them, {@code (q − 32)·(d·scale)}. */
    private static void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a) {
        int nb = cols / 256;
        int b = k0 / 256;
        Scratch s = SCRATCH.get();
        long m = go + (long) nb * QS_BYTES + (long) META_BYTES * b;
        RowGroups.halvesToFloats(w, m, s.d);
        FloatVector dLo = FloatVector.fromArray(F512, s.d, 0);
        FloatVector dHi = FloatVector.fromArray(F512, s.d, 16);
        float[] ds = s.dScales;
        for (int j = 0; j < 16; j++) {
            long sr = m + 64 + 32L * j;
            dLo.mul((FloatVector)
                            ByteVector.fromMemorySegment(B128, w, sr, LE).convertShape(VectorOperators.B2F, F512, 0))
                    .intoArray(ds, ROWS * j);
            dHi.mul((FloatVector) ByteVector.fromMemorySegment(B128, w, sr + 16, LE)
                            .convertShape(VectorOperators.B2F, F512, 0))
                    .intoArray(ds, ROWS * j + 16);
        }
        long qo = go + (long) QS_BYTES * b;
        for (int j = 0; j < 2; j++) {
            for (int l = 0; l < 32; l++) {
                long src = qo + 96L * (32 * j + l);
                ShortVector lo = (ShortVector) ByteVector.fromMemorySegment(B256, w, src, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector hi = (ShortVector) ByteVector.fromMemorySegment(B256, w, src + 32, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector h = (ShortVector) ByteVector.fromMemorySegment(B256, w, src + 64, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                // value 128j + 32s + l, group 8j + 2s + l / 16; written out, as a helper taking vectors may be
                // compiled as a call that boxes them
                ShortVector v0 = lo.and((short) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x30))
                        .sub((short) 32);
                ShortVector v1 = hi.and((short) 0x0F)
                        .or(h.lanewise(VectorOperators.LSHL, 2).and((short) 0x30))
                        .sub((short) 32);
                ShortVector v2 = lo.lanewise(VectorOperators.LSHR, 4)
                        .or(h.and((short) 0x30))
                        .sub((short) 32);
                ShortVector v3 = hi.lanewise(VectorOperators.LSHR, 4)
                        .or(h.lanewise(VectorOperators.LSHR, 2).and((short) 0x30))
                        .sub((short) 32);
                int sj = ROWS * (8 * j + l / 16);
                int at = ROWS * (128 * j + l);
                ((FloatVector) v0.convertShape(VectorOperators.S2F, F512, 0))
                        .mul(FloatVector.fromArray(F512, ds, sj))
                        .intoArray(a, at);
                ((FloatVector) v0.convertShape(VectorOperators.S2F, F512, 1))
                        .mul(FloatVector.fromArray(F512, ds, sj + 16))
                        .intoArray(a, at + 16);
                ((FloatVector) v1.convertShape(VectorOperators.S2F, F512, 0))
                        .mul(FloatVector.fromArray(F512, ds, sj + 2 * ROWS))
                        .intoArray(a, at + 32 * ROWS);
                ((FloatVector) v1.convertShape(VectorOperators.S2F, F512, 1))
                        .mul(FloatVector.fromArray(F512, ds, sj + 2 * ROWS + 16))
                        .intoArray(a, at + 32 * ROWS + 16);
                ((FloatVector) v2.convertShape(VectorOperators.S2F, F512, 0))
                        .mul(FloatVector.fromArray(F512, ds, sj + 4 * ROWS))
                        .intoArray(a, at + 64 * ROWS);
                ((FloatVector) v2.convertShape(VectorOperators.S2F, F512, 1))
                        .mul(FloatVector.fromArray(F512, ds, sj + 4 * ROWS + 16))
                        .intoArray(a, at + 64 * ROWS + 16);
                ((FloatVector) v3.convertShape(VectorOperators.S2F, F512, 0))
                        .mul(FloatVector.fromArray(F512, ds, sj + 6 * ROWS))
                        .intoArray(a, at + 96 * ROWS);
                ((FloatVector) v3.convertShape(VectorOperators.S2F, F512, 1))
                        .mul(FloatVector.fromArray(F512, ds, sj + 6 * ROWS + 16))
                        .intoArray(a, at + 96 * ROWS + 16);
            }
        }
    }
}
