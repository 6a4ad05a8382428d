package io.quantscope.quant.dot;

import io.quantscope.quant.KScales;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * One-token dot products in float lanes of the machine's widest vector, as ggml's SIMD paths compute them: each block's
 * integer products are summed exactly (small integers in float), scaled by the block's {@code dx·dy} and accumulated
 * per lane across the row; the lanes are added once at the end. The result differs from the scalar reference (which
 * adds block terms one by one, as ggml's generic C code does) only by float rounding order. Weights are converted
 * straight from the mapped bytes to float lanes, which keeps the work per weight to a widening, a conversion and a
 * multiply-add: the Vector API has no int8 dot-product instruction.
 */
final class LaneDots {
    static final boolean ENABLED = VectorDots.ENABLED && !Boolean.getBoolean("quantscope.referenceOrder");

    private static final VectorSpecies<Float> FP = FloatVector.SPECIES_PREFERRED;
    /** Float lanes per vector: 16 with AVX-512, 8 with AVX2. */
    static final int L = FP.length();

    private static final VectorSpecies<Byte> BP = ByteVector.SPECIES_64.length() == L
            ? ByteVector.SPECIES_64
            : VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    private static final VectorSpecies<Integer> IP = IntVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = Mem.SHORT;

    /** fp16 bits → float, as ggml's table on x86: a load instead of a conversion. */
    private static final float[] HALF = new float[65536];

    static {
        for (int i = 0; i < HALF.length; i++) {
            HALF[i] = Float.float16ToFloat((short) i);
        }
    }

    private LaneDots() {}

    /**
     * Per-thread buffers of the lane code ({@link LaneBatch}'s row decoders use them too; neither calls the other): a
     * row kernel runs some 500,000 times per token of a 1B model, and fresh arrays there were most of what the heap
     * grew by during generation.
     */
    static final class Scratch {
        final byte[] values = new byte[256];
        final byte[] packed = new byte[12];
        final float[] scales = new float[16];

        float[] floats = new float[0];

        /** A K row's decoded values, and its groups' scales and mins (one per sixteen values). */
        byte[] rowValues = new byte[0];

        float[] rowScales = new float[0];
        float[] rowMins = new float[0];

        Scratch ensureRow(int n) {
            if (rowValues.length < n) {
                rowValues = new byte[n];
                rowScales = new float[n / 16];
                rowMins = new float[n / 16];
            }
            return this;
        }

        Scratch ensure(int n) {
            if (floats.length < n) {
                floats = new float[n];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static Scratch scratch() {
        return SCRATCH.get();
    }

    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;

    /**
     * The lanes' sum in a fixed tree (halves added lane by lane down to four, then {@code (s0+s1)+(s2+s3)}).
     * {@code reduceLanes(ADD)} may sum in another order once compiled than when interpreted, which would let the same
     * input give other bits early in a run.
     */
    static float sum(FloatVector v) {
        FloatVector x = v;
        if (x.length() == 16) {
            x = ((FloatVector) x.reinterpretShape(F256, 0)).add((FloatVector) x.reinterpretShape(F256, 1));
        }
        if (x.length() == 8) {
            x = ((FloatVector) x.reinterpretShape(F128, 0)).add((FloatVector) x.reinterpretShape(F128, 1));
        }
        return (x.lane(0) + x.lane(1)) + (x.lane(2) + x.lane(3));
    }

    static float half(MemorySegment w, long off) {
        return HALF[w.get(SHORT, off) & 0xFFFF];
    }

    /** {@code L} signed bytes at {@code o} as float lanes. */
    static FloatVector bytes(MemorySegment w, long o) {
        return (FloatVector) ByteVector.fromMemorySegment(BP, w, o, LE).convertShape(VectorOperators.B2F, FP, 0);
    }

    /** Q8_0 · Q8_0: per block Σq·y exactly in lanes, times {@code dx·dy}, accumulated per lane. */
    static float q8_0(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float[] y = in.qf;
        float[] dy = in.d;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        int ib = 0;
        for (; ib + 2 <= nb; ib += 2) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            FloatVector s0 = bytes(w, bo + 2).mul(FloatVector.fromArray(FP, y, yo));
            FloatVector s1 = bytes(w, bo + 36).mul(FloatVector.fromArray(FP, y, yo + 32));
            for (int k = L; k < 32; k += L) {
                s0 = bytes(w, bo + 2 + k).fma(FloatVector.fromArray(FP, y, yo + k), s0);
                s1 = bytes(w, bo + 36 + k).fma(FloatVector.fromArray(FP, y, yo + 32 + k), s1);
            }
            acc0 = s0.fma(FloatVector.broadcast(FP, half(w, bo) * dy[yb + ib]), acc0);
            acc1 = s1.fma(FloatVector.broadcast(FP, half(w, bo + 34) * dy[yb + ib + 1]), acc1);
        }
        for (; ib < nb; ib++) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            FloatVector s0 = FloatVector.zero(FP);
            for (int k = 0; k < 32; k += L) {
                s0 = bytes(w, bo + 2 + k).fma(FloatVector.fromArray(FP, y, yo + k), s0);
            }
            acc0 = s0.fma(FloatVector.broadcast(FP, half(w, bo) * dy[yb + ib]), acc0);
        }
        return sum(acc0.add(acc1));
    }

    /** Q4_0 · Q8_0: nibbles minus 8, per block Σq·y exactly in lanes, times {@code dx·dy}. */
    static float q4_0(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float[] y = in.qf;
        float[] dy = in.d;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        int ib = 0;
        for (; ib + 2 <= nb; ib += 2) {
            long bo = off + 18L * ib;
            int yo = (yb + ib) * 32;
            acc0 = nibbles32(w, bo + 2, y, yo).fma(FloatVector.broadcast(FP, half(w, bo) * dy[yb + ib]), acc0);
            acc1 = nibbles32(w, bo + 20, y, yo + 32)
                    .fma(FloatVector.broadcast(FP, half(w, bo + 18) * dy[yb + ib + 1]), acc1);
        }
        for (; ib < nb; ib++) {
            long bo = off + 18L * ib;
            acc0 = nibbles32(w, bo + 2, y, (yb + ib) * 32)
                    .fma(FloatVector.broadcast(FP, half(w, bo) * dy[yb + ib]), acc0);
        }
        return sum(acc0.add(acc1));
    }

    /** Σ (nibble − 8)·y over a Q4_0 block's 32 values (low nibbles first), as float lanes. */
    private static FloatVector nibbles32(MemorySegment w, long qs, float[] y, int yo) {
        FloatVector s = FloatVector.zero(FP);
        for (int k = 0; k < 16; k += L) {
            IntVector q = (IntVector)
                    ByteVector.fromMemorySegment(BP, w, qs + k, LE).convertShape(VectorOperators.B2I, IP, 0);
            FloatVector lo = (FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector)
                    q.lanewise(VectorOperators.ASHR, 4).and(0xF).sub(8).convert(VectorOperators.I2F, 0);
            s = lo.fma(FloatVector.fromArray(FP, y, yo + k), s);
            s = hi.fma(FloatVector.fromArray(FP, y, yo + 16 + k), s);
        }
        return s;
    }

    /**
     * Σ over a row's groups of sixteen decoded values: {@code scale[g]·Σ a·y}, in four accumulators so consecutive
     * groups do not wait on one another's multiply-add. The K kernels decode a whole row first (values and one scale per
     * group), so this loop is one call per row: a vector never crosses a call that C2 might not inline (it would be boxed,
     * as JFR once showed for a per-block version of this loop).
     */
    private static float rowGroups(byte[] a, float[] scale, float[] y, int yo, int n) {
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        FloatVector acc2 = FloatVector.zero(FP);
        FloatVector acc3 = FloatVector.zero(FP);
        for (int g = 0; g < n / 16; g += 4) {
            int o = 16 * g;
            int yg = yo + o;
            FloatVector t0 = values(a, o).mul(FloatVector.fromArray(FP, y, yg));
            FloatVector t1 = values(a, o + 16).mul(FloatVector.fromArray(FP, y, yg + 16));
            FloatVector t2 = values(a, o + 32).mul(FloatVector.fromArray(FP, y, yg + 32));
            FloatVector t3 = values(a, o + 48).mul(FloatVector.fromArray(FP, y, yg + 48));
            for (int k = L; k < 16; k += L) {
                t0 = values(a, o + k).fma(FloatVector.fromArray(FP, y, yg + k), t0);
                t1 = values(a, o + 16 + k).fma(FloatVector.fromArray(FP, y, yg + 16 + k), t1);
                t2 = values(a, o + 32 + k).fma(FloatVector.fromArray(FP, y, yg + 32 + k), t2);
                t3 = values(a, o + 48 + k).fma(FloatVector.fromArray(FP, y, yg + 48 + k), t3);
            }
            acc0 = t0.fma(FloatVector.broadcast(FP, scale[g]), acc0);
            acc1 = t1.fma(FloatVector.broadcast(FP, scale[g + 1]), acc1);
            acc2 = t2.fma(FloatVector.broadcast(FP, scale[g + 2]), acc2);
            acc3 = t3.fma(FloatVector.broadcast(FP, scale[g + 3]), acc3);
        }
        return sum(acc0.add(acc1).add(acc2.add(acc3)));
    }

    /**
     * {@code L} signed bytes of {@code a} at {@code o} as float lanes. Small enough that C2 always inlines it: a vector
     * returned from a call it does not inline is boxed.
     */
    private static FloatVector values(byte[] a, int o) {
        return (FloatVector) ByteVector.fromArray(BP, a, o).convertShape(VectorOperators.B2F, FP, 0);
    }

    /**
     * {@code Σ a[ao+k]·b[bo+k]} over {@code len} values, a multiple of 16, per lane: a row's group scales (or mins)
     * times the activations' sums of 16, the part of a K row's product that an offset or a min contributes.
     */
    private static float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(FP);
        for (int k = 0; k < len; k += L) {
            acc = FloatVector.fromArray(FP, a, ao + k).fma(FloatVector.fromArray(FP, b, bo + k), acc);
        }
        return sum(acc);
    }

    /**
     * Q4_K · Q8_K: eight groups of 32 with 6-bit scales and mins. With 16 float lanes the twelve packed scale bytes are
     * unpacked in one int vector into sixteen float lanes (eight scales, then eight mins); a group's scale reaches all
     * lanes by a permute, and the mins meet the activations' sums of 32 in one multiply per block, so no scalar work is
     * left per block but its two fp16 scales. Nibbles are widened straight to int lanes; the four 64-value chunks of a
     * block are written out because C2 compiled the loop over them to code two thirds as fast.
     */
    static float q4_K(MemorySegment w, long off, InputRows in, int row) {
        if (L != 16) {
            return q4_KAnyWidth(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        float[] y = in.qf;
        float[] ksum = in.ksum32;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        FloatVector accMin = FloatVector.zero(FP);
        for (int i = 0; i < nb; i++) {
            long bo = off + 144L * i;
            float dy = in.d[yb + i];
            FloatVector scaleMin = scalesAndMins4(w, bo + 4);
            accMin = scaleMin.mul(FloatVector.fromArray(FP, ksum, (yb + i) * 16))
                    .fma(FloatVector.broadcast(FP, half(w, bo + 2) * dy), accMin);
            FloatVector sc = scaleMin.mul(half(w, bo) * dy);
            int yo = (yb + i) * 256;
            {
                long qo = bo + 16 + 32 * 0;
                int yj = yo + 64 * 0;
                IntVector q0 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo, LE).convertShape(UB2I, IP, 0);
                IntVector q1 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo + 16, LE).convertShape(UB2I, IP, 0);
                FloatVector lo = ((FloatVector) q0.and(0xF).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj));
                lo = ((FloatVector) q1.and(0xF).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 16), lo);
                FloatVector hi = ((FloatVector)
                                q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj + 32));
                hi = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 48), hi);
                acc0 = lo.fma(sc.rearrange(LANE0), acc0);
                acc1 = hi.fma(sc.rearrange(LANE1), acc1);
            }
            {
                long qo = bo + 16 + 32 * 1;
                int yj = yo + 64 * 1;
                IntVector q0 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo, LE).convertShape(UB2I, IP, 0);
                IntVector q1 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo + 16, LE).convertShape(UB2I, IP, 0);
                FloatVector lo = ((FloatVector) q0.and(0xF).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj));
                lo = ((FloatVector) q1.and(0xF).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 16), lo);
                FloatVector hi = ((FloatVector)
                                q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj + 32));
                hi = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 48), hi);
                acc0 = lo.fma(sc.rearrange(LANE2), acc0);
                acc1 = hi.fma(sc.rearrange(LANE3), acc1);
            }
            {
                long qo = bo + 16 + 32 * 2;
                int yj = yo + 64 * 2;
                IntVector q0 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo, LE).convertShape(UB2I, IP, 0);
                IntVector q1 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo + 16, LE).convertShape(UB2I, IP, 0);
                FloatVector lo = ((FloatVector) q0.and(0xF).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj));
                lo = ((FloatVector) q1.and(0xF).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 16), lo);
                FloatVector hi = ((FloatVector)
                                q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj + 32));
                hi = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 48), hi);
                acc0 = lo.fma(sc.rearrange(LANE4), acc0);
                acc1 = hi.fma(sc.rearrange(LANE5), acc1);
            }
            {
                long qo = bo + 16 + 32 * 3;
                int yj = yo + 64 * 3;
                IntVector q0 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo, LE).convertShape(UB2I, IP, 0);
                IntVector q1 = (IntVector)
                        ByteVector.fromMemorySegment(B128, w, qo + 16, LE).convertShape(UB2I, IP, 0);
                FloatVector lo = ((FloatVector) q0.and(0xF).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj));
                lo = ((FloatVector) q1.and(0xF).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 16), lo);
                FloatVector hi = ((FloatVector)
                                q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(FP, y, yj + 32));
                hi = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(FP, y, yj + 48), hi);
                acc0 = lo.fma(sc.rearrange(LANE6), acc0);
                acc1 = hi.fma(sc.rearrange(LANE7), acc1);
            }
        }
        return sum(acc0.add(acc1)) - sum(accMin);
    }

    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> I128 = IntVector.SPECIES_128;
    private static final VectorOperators.Conversion<Byte, Integer> UB2I = VectorOperators.ZERO_EXTEND_B2I;

    private static final VectorShuffle<Integer> SCALE_WORDS = VectorShuffle.fromValues(I128, 0, 2, 1, 2);
    private static final VectorShuffle<Integer> HIGH_BIT_WORDS = VectorShuffle.fromValues(I128, 0, 0, 1, 1);
    private static final IntVector SCALE_SHIFTS = IntVector.fromArray(I128, new int[] {0, 0, 0, 4}, 0);
    private static final IntVector SCALE_MASKS =
            IntVector.fromArray(I128, new int[] {0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f}, 0);
    private static final IntVector HIGH_BIT_MASKS =
            IntVector.fromArray(I128, new int[] {0, 0x03030303, 0, 0x03030303}, 0);

    /**
     * The twelve packed 6-bit scale bytes of a Q4_K/Q5_K block at {@code off} as sixteen float lanes: the eight scales,
     * then the eight mins. As words {@code u0 u1 u2}: scales 0–3 are {@code u0 & 0x3f..}, mins 0–3 {@code u1 & 0x3f..};
     * scales 4–7 take the low nibbles of {@code u2} and the top two bits of {@code u0}'s bytes, mins 4–7 the high nibbles
     * of {@code u2} and the top bits of {@code u1}'s. Reads four bytes past the scales (the block's first quants).
     */
    static FloatVector scalesAndMins4(MemorySegment w, long off) {
        IntVector u = IntVector.fromMemorySegment(I128, w, off, LE);
        IntVector low = u.rearrange(SCALE_WORDS)
                .lanewise(VectorOperators.LSHR, SCALE_SHIFTS)
                .and(SCALE_MASKS);
        IntVector high =
                u.rearrange(HIGH_BIT_WORDS).lanewise(VectorOperators.LSHR, 6).and(HIGH_BIT_MASKS);
        return (FloatVector) low.or(high.lanewise(VectorOperators.LSHL, 4))
                .reinterpretAsBytes()
                .convertShape(VectorOperators.B2F, FP, 0);
    }

    /** Permutes that copy lane {@code k} to every lane (of 16). */
    private static final VectorShuffle<Float> LANE0 = lane(0);

    private static final VectorShuffle<Float> LANE1 = lane(1);
    private static final VectorShuffle<Float> LANE2 = lane(2);
    private static final VectorShuffle<Float> LANE3 = lane(3);
    private static final VectorShuffle<Float> LANE4 = lane(4);
    private static final VectorShuffle<Float> LANE5 = lane(5);
    private static final VectorShuffle<Float> LANE6 = lane(6);
    private static final VectorShuffle<Float> LANE7 = lane(7);

    private static VectorShuffle<Float> lane(int k) {
        return VectorShuffle.fromOp(FP, i -> k % FP.length());
    }

    /** {@link #q4_K} for vectors of other than 16 float lanes: scales and mins unpacked one by one. */
    static float q4_KAnyWidth(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        float[] y = in.qf;
        Scratch s = SCRATCH.get();
        byte[] packed = s.packed;
        float[] sc = s.scales;
        FloatVector acc = FloatVector.zero(FP);
        float mins = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + 144L * i;
            Mem.scales12(w, bo + 4, packed);
            float d = half(w, bo) * in.d[yb + i];
            int summ = 0;
            int bs = (yb + i) * 16;
            for (int j = 0; j < 8; j++) {
                summ += (in.bsums[bs + 2 * j] + in.bsums[bs + 2 * j + 1]) * KScales.min4(packed, 0, j);
                sc[j] = d * KScales.scale4(packed, 0, j);
            }
            mins += half(w, bo + 2) * in.d[yb + i] * summ;
            int yo = (yb + i) * 256;
            for (int j = 0; j < 4; j++) {
                long qo = bo + 16 + 32L * j;
                FloatVector lo = FloatVector.zero(FP);
                FloatVector hi = FloatVector.zero(FP);
                for (int k = 0; k < 32; k += L) {
                    IntVector q = (IntVector)
                            ByteVector.fromMemorySegment(BP, w, qo + k, LE).convertShape(VectorOperators.B2I, IP, 0);
                    lo = ((FloatVector) q.and(0xF).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.fromArray(FP, y, yo + 64 * j + k), lo);
                    hi = ((FloatVector)
                                    q.lanewise(VectorOperators.ASHR, 4).and(0xF).convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.fromArray(FP, y, yo + 64 * j + 32 + k), hi);
                }
                acc = lo.fma(FloatVector.broadcast(FP, sc[2 * j]), acc);
                acc = hi.fma(FloatVector.broadcast(FP, sc[2 * j + 1]), acc);
            }
        }
        return sum(acc) - mins;
    }

    /** Q3_K · Q8_K: sixteen groups of 16 values in [-4, 3] (two bits, and a high bit that, unset, takes 4 off). */
    static float q3_K(MemorySegment w, long off, InputRows in, int row) {
        int n = in.n;
        int nb = n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get().ensureRow(n);
        byte[] a = s.rowValues;
        byte[] packed = s.packed;
        float[] sc = s.rowScales;
        for (int i = 0; i < nb; i++) {
            long bo = off + 110L * i;
            float d = half(w, bo + 108) * in.d[yb + i];
            Mem.scales12(w, bo + 96, packed);
            for (int j = 0; j < 16; j++) {
                sc[16 * i + j] = d * KScales.scale3(packed, 0, j);
            }
            q3Values(w, bo, a, 256 * i);
        }
        return rowGroups(a, sc, in.qf, yb * 256, n);
    }

    /** The 256 values of a Q3_K block, in [-4, 3], into {@code a} from {@code ao} (group {@code j}'s at {@code 16j}). */
    static void q3Values(MemorySegment w, long bo, byte[] a, int ao) {
        ByteVector hm = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo, LE);
        for (int n = 0; n < 2; n++) {
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo + 32 + 32L * n, LE);
            for (int j = 0; j < 4; j++) {
                ByteVector v = q.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
                v.sub((byte) 4, hm.and((byte) (1 << (4 * n + j))).compare(VectorOperators.EQ, (byte) 0))
                        .intoArray(a, ao + 128 * n + 32 * j);
            }
        }
    }

    /** The 256 two-bit values of a Q2_K block, in [0, 3], into {@code a} from {@code ao} (group {@code j}'s at {@code 16j}). */
    static void q2Values(MemorySegment w, long bo, byte[] a, int ao) {
        for (int k = 0; k < 2; k++) {
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo + 16 + 32L * k, LE);
            int o = ao + 128 * k;
            q.and((byte) 3).intoArray(a, o);
            q.lanewise(VectorOperators.LSHR, 2).and((byte) 3).intoArray(a, o + 32);
            q.lanewise(VectorOperators.LSHR, 4).and((byte) 3).intoArray(a, o + 64);
            q.lanewise(VectorOperators.LSHR, 6).intoArray(a, o + 96);
        }
    }

    /**
     * Q6_K · Q8_K: sixteen groups of 16 values in [-32, 31] with int8 scales. The values are decoded without their
     * offset (0..63); the offset comes back once per row as {@code 32·Σ scale·Σy} from the activations' sums of 16.
     */
    static float q6_K(MemorySegment w, long off, InputRows in, int row) {
        int n = in.n;
        int nb = n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get().ensureRow(n);
        byte[] a = s.rowValues;
        float[] sc = s.rowScales;
        for (int i = 0; i < nb; i++) {
            long bo = off + 210L * i;
            float d = half(w, bo + 208) * in.d[yb + i];
            VectorDots.decodeQ6(w, bo, a, 256 * i, 0);
            for (int k = 0; k < 16; k += L) {
                bytes(w, bo + 192 + k).mul(d).intoArray(sc, 16 * i + k);
            }
        }
        return rowGroups(a, sc, in.qf, yb * 256, n) - 32 * dot(sc, 0, in.ksum16, yb * 16, n / 16);
    }

    /** Q2_K · Q8_K: sixteen groups of 16 two-bit values with 4-bit scales and mins. */
    static float q2_K(MemorySegment w, long off, InputRows in, int row) {
        int n = in.n;
        int nb = n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get().ensureRow(n);
        byte[] a = s.rowValues;
        float[] sc = s.rowScales;
        float[] mins = s.rowMins;
        for (int i = 0; i < nb; i++) {
            long bo = off + 84L * i;
            float d = in.d[yb + i] * half(w, bo + 80);
            float dmin = in.d[yb + i] * half(w, bo + 82);
            for (int k = 0; k < 16; k += L) {
                IntVector b = (IntVector)
                        ByteVector.fromMemorySegment(BP, w, bo + k, LE).convertShape(UB2I, IP, 0);
                ((FloatVector) b.and(0xF).convert(VectorOperators.I2F, 0))
                        .mul(d)
                        .intoArray(sc, 16 * i + k);
                ((FloatVector) b.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0))
                        .mul(dmin)
                        .intoArray(mins, 16 * i + k);
            }
            q2Values(w, bo, a, 256 * i);
        }
        return rowGroups(a, sc, in.qf, yb * 256, n) - dot(mins, 0, in.ksum16, yb * 16, n / 16);
    }

    /** Halves converted per pass of {@link #f16}: 8 KB of floats, so a chunk and its activations stay in L1. */
    private static final int F16_CHUNK = 2048;

    /**
     * F16 · F16-rounded activations: products exact in float, accumulated per lane in four accumulators. The row is
     * converted chunk by chunk, so even a long row (ffn_down's) never leaves L1 between its conversion and its products.
     */
    static float f16(MemorySegment w, long off, float[] y, int yo, int n) {
        float[] a = SCRATCH.get().ensure(Math.min(n, F16_CHUNK)).floats;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        FloatVector acc2 = FloatVector.zero(FP);
        FloatVector acc3 = FloatVector.zero(FP);
        float tail = 0;
        for (int c = 0; c < n; c += F16_CHUNK) {
            int m = Math.min(F16_CHUNK, n - c);
            halves(w, off + 2L * c, a, 0, m);
            int yc = yo + c;
            int i = 0;
            for (; i + 4 * L <= m; i += 4 * L) {
                acc0 = FloatVector.fromArray(FP, a, i).fma(FloatVector.fromArray(FP, y, yc + i), acc0);
                acc1 = FloatVector.fromArray(FP, a, i + L).fma(FloatVector.fromArray(FP, y, yc + i + L), acc1);
                acc2 = FloatVector.fromArray(FP, a, i + 2 * L).fma(FloatVector.fromArray(FP, y, yc + i + 2 * L), acc2);
                acc3 = FloatVector.fromArray(FP, a, i + 3 * L).fma(FloatVector.fromArray(FP, y, yc + i + 3 * L), acc3);
            }
            for (; i < m; i++) {
                tail += a[i] * y[yc + i];
            }
        }
        return sum(acc0.add(acc1).add(acc2.add(acc3))) + tail;
    }

    /**
     * F16 rows · each of a few tokens (fewer than a lane batch takes): {@link #f16} per row and token, so a token gets
     * the same bits as on its own. A row's second and third conversions come from L1.
     */
    static void f16Rows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        int n = in.n;
        for (int j = 0; j < nRows; j++) {
            for (int t = 0; t < in.rows; t++) {
                out[outOff + j + t * stride] = f16(w, off + j * rowBytes, in.f, t * n, n);
            }
        }
    }

    /**
     * {@code n} halves at {@code off} to floats at {@code a[ao ..]} by a plain loop straight from the segment, which C2
     * compiles to the hardware conversion (16 values per instruction on AVX-512): exact, subnormals included.
     */
    static void halves(MemorySegment w, long off, float[] a, int ao, int n) {
        for (int i = 0; i < n; i++) {
            a[ao + i] = Float.float16ToFloat(w.get(SHORT, off + 2L * i));
        }
    }

    /** F32 · F32, accumulated per lane. */
    static float f32(MemorySegment w, long off, float[] y, int yo, int n) {
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(FP, w, off + 4L * i, LE)
                    .fma(FloatVector.fromArray(FP, y, yo + i), acc0);
            acc1 = FloatVector.fromMemorySegment(FP, w, off + 4L * (i + L), LE)
                    .fma(FloatVector.fromArray(FP, y, yo + i + L), acc1);
        }
        float sum = sum(acc0.add(acc1));
        for (; i < n; i++) {
            sum += Mem.f32(w, off + 4L * i) * y[yo + i];
        }
        return sum;
    }
}
