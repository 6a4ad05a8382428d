package io.quantscope.quant.dot;

import io.quantscope.quant.KScales;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
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

    /** Whether the kernels written for 16 float lanes only ({@link #block32}, {@link #bf16}) run. */
    static final boolean SIXTEEN = ENABLED && L == 16;

    /**
     * Whether the kernels that multiply in 16-bit lanes run: 32 short lanes (AVX-512BW) beside 16 float lanes. They
     * widen weights to shorts once per 32 (one instruction), multiply by the activations as shorts (one), add each
     * adjacent pair of products as an int and convert once per 16 pairs, where the float kernels widen, convert and
     * multiply-add every 16 weights. The pair sum is {@code (p + (p << 16)) >> 16} on the int lanes: the two products'
     * sum lands in the upper half, exactly while it fits in 16 bits (every kernel's products do: at most 63·128 each),
     * and comes back down with its sign; x86's {@code vpmaddwd} is not reachable from the Vector API. On the 1.1B model's matrices, one core in L2:
     * Q4_K 7.6 → 9.4 GB/s, Q6_K 9.0 → 14.7 (medians of alternating runs).
     */
    static final boolean SHORTS = L == 16 && ShortVector.SPECIES_PREFERRED.length() == 32;

    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort SHORT = Mem.SHORT;
    private static final java.lang.invoke.VarHandle SHORT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(short[].class, LE);
    private static final java.lang.invoke.VarHandle INT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, LE);

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

        /** A vector's lanes on their way to {@link #sum(float[])}. */
        final float[] sumLanes = new float[L];

        /** A one-row kernel's result on its way out of a rows kernel. */
        final float[] one = new float[1];

        /** A weight row copied out of the mapped file (see {@link #q4_K}). */
        byte[] rowBytes = new byte[0];

        Scratch ensureBytes(int n) {
            if (rowBytes.length < n) {
                rowBytes = new byte[n];
            }
            return this;
        }

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

    /**
     * The lanes' sum in a fixed tree (pairs of lanes, then pairs of those, ...). {@code reduceLanes(ADD)} may sum in
     * another order once compiled than when interpreted, which would let the same input give other bits early in a
     * run. Kernels store their accumulator into {@code lanes} themselves and call this: a vector handed to a call that
     * C2 does not inline is boxed (JFR showed 2.7 GB of such boxes per bench run when this took the vector).
     */
    static float sum(float[] t) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int i = 0; i < L; i += 4) {
            s0 += t[i];
            s1 += t[i + 1];
            s2 += t[i + 2];
            s3 += t[i + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * The 16-lane kernels sum their lanes in {@link #sum(float[])}'s order and to its bits without the trip through
     * memory, written out at each kernel's end as {@code t = v + v↻4 + v↻8 + v↻12} (lanes 0-3 then gather lanes
     * {@code i, i+4, i+8, i+12} one at a time, as the loop does) and {@code (t0 + t1) + (t2 + t3)}: reading a 64-byte
     * store back as sixteen 4-byte loads stalls store forwarding, and that sum was 6% of a Q4_0 token's samples.
     * Written out because a helper taking the vector is not always inlined into a large kernel (C2's node count
     * cutoff), and a vector passed to a call is boxed. In L2, one core, rows of 2048, alternating: Q4_0 9.0-10.1 →
     * 9.9-13.2 GB/s, Q8_0 16.9-20.0 → 16.7-25.5.
     */
    private static final VectorShuffle<Float> SHIFT_4 = rotation(4);

    private static final VectorShuffle<Float> SHIFT_8 = rotation(8);
    private static final VectorShuffle<Float> SHIFT_12 = rotation(12);

    /** Lane {@code i} takes lane {@code i + by} (wrapping): only its first lanes are used. */
    private static VectorShuffle<Float> rotation(int by) {
        int[] index = new int[L];
        for (int i = 0; i < L; i++) {
            index[i] = (i + by) % L;
        }
        return VectorShuffle.fromArray(FP, index, 0);
    }

    /**
     * An fp16 scale as a float: the hardware conversion (C2's intrinsic), exact. ggml's x86 build reads a 64K-entry
     * table instead; here that table (256 KB) evicted weights and activations from L1 and L2 once per block. The
     * one-token kernels write the conversion out rather than call this: a call to it from a large kernel halved the
     * Q8_0 kernel's speed (11 against 19 GB/s in L2), apparently because C2 compiled the call instead of inlining it.
     */
    static float half(MemorySegment w, long off) {
        return Float.float16ToFloat(w.get(SHORT, off));
    }

    /** {@code L} signed bytes at {@code o} as float lanes. */
    static FloatVector bytes(MemorySegment w, long o) {
        return (FloatVector) ByteVector.fromMemorySegment(BP, w, o, LE).convertShape(VectorOperators.B2F, FP, 0);
    }

    /**
     * Q8_0 · Q8_0: per block Σq·y exactly in lanes, times {@code dx·dy}, accumulated per lane. Four blocks per step
     * with four accumulators when a block is two vectors (16 lanes): independent chains keep the multiply-adds
     * flowing (in L2, one core: 11-17 GB/s with two blocks per step, 22-26 GB/s with four).
     */
    static float q8_0(MemorySegment w, long off, InputRows in, int row) {
        if (L != 16) {
            return q8_0AnyWidth(w, off, in, row);
        }
        int nb = in.n / 32;
        int yb = row * nb;
        float[] y = in.qf;
        float[] dy = in.d;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        FloatVector acc2 = FloatVector.zero(FP);
        FloatVector acc3 = FloatVector.zero(FP);
        int ib = 0;
        // the loops here are written i + K <= n on purpose: written i <= n - K, C2 unrolls them and takes their range
        // checks out, and this kernel ran 14% slower in L2 and ~35% slower from memory on two threads (F16 no faster)
        for (; ib + 4 <= nb; ib += 4) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            FloatVector s0 = bytes(w, bo + 2).mul(FloatVector.fromArray(FP, y, yo));
            FloatVector s1 = bytes(w, bo + 36).mul(FloatVector.fromArray(FP, y, yo + 32));
            FloatVector s2 = bytes(w, bo + 70).mul(FloatVector.fromArray(FP, y, yo + 64));
            FloatVector s3 = bytes(w, bo + 104).mul(FloatVector.fromArray(FP, y, yo + 96));
            s0 = bytes(w, bo + 18).fma(FloatVector.fromArray(FP, y, yo + 16), s0);
            s1 = bytes(w, bo + 52).fma(FloatVector.fromArray(FP, y, yo + 48), s1);
            s2 = bytes(w, bo + 86).fma(FloatVector.fromArray(FP, y, yo + 80), s2);
            s3 = bytes(w, bo + 120).fma(FloatVector.fromArray(FP, y, yo + 112), s3);
            acc0 = s0.fma(FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo)) * dy[yb + ib]), acc0);
            acc1 = s1.fma(
                    FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo + 34)) * dy[yb + ib + 1]), acc1);
            acc2 = s2.fma(
                    FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo + 68)) * dy[yb + ib + 2]), acc2);
            acc3 = s3.fma(
                    FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo + 102)) * dy[yb + ib + 3]), acc3);
        }
        for (; ib < nb; ib++) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            FloatVector s0 = bytes(w, bo + 2).mul(FloatVector.fromArray(FP, y, yo));
            s0 = bytes(w, bo + 18).fma(FloatVector.fromArray(FP, y, yo + 16), s0);
            acc0 = s0.fma(FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo)) * dy[yb + ib]), acc0);
        }
        FloatVector v = acc0.add(acc1).add(acc2.add(acc3));
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
    }

    /** {@link #q8_0} for vectors of other than 16 float lanes. */
    static float q8_0AnyWidth(MemorySegment w, long off, InputRows in, int row) {
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
        float[] lanes = SCRATCH.get().sumLanes;
        acc0.add(acc1).intoArray(lanes, 0);
        return sum(lanes);
    }

    /**
     * Q4_0 · Q8_0: in 16-bit lanes where the machine has them and the rows were prepared for it ({@link #q4_0Shorts},
     * {@link InputRows#prepareQ40}), else in float lanes of any width.
     * (A 16-float-lane version that looked nibble values up by permute ran at 12.2 GB/s in L2 on one core; the short
     * lanes run at 13.4-14.2.)
     */
    static float q4_0(MemorySegment w, long off, InputRows in, int row) {
        return SHORTS && in.q40Ready ? q4_0Shorts(w, off, in, row) : q4_0AnyWidth(w, off, in, row);
    }

    /** Byte lanes 16-31 of a 256-bit vector: where a pair's second block's nibbles come from. */
    private static final VectorMask<Byte> SECOND_BLOCK_BYTES = VectorMask.fromLong(ByteVector.SPECIES_256, 0xFFFF0000L);

    /** Float lanes 8-15: the second block's pair sums. */
    private static final VectorMask<Float> SECOND_BLOCK_FLOATS = VectorMask.fromLong(FP, 0xFF00L);

    /**
     * Q4_0 · Q8_0 in 16-bit lanes ({@link #SHORTS}), two blocks per vector: the pair's 32 nibble bytes (block
     * {@code a}'s sixteen from one 32-byte load, block {@code b}'s from another two bytes on, blended) widen to 32 short
     * lanes once; the low nibbles meet activations {@code 0-15} of each block and the high ones {@code 16-31}, in one
     * multiply each, and the offset of 8 comes off as {@code 8·(y_lo + y_hi)} per lane, precomputed with the activations
     * ({@link InputRows#q40}); the pair sums then hold each block's exact int sum in eight int lanes, which meet
     * {@code [d_a·dy_a ×8, d_b·dy_b ×8]}. A short lane holds at most 2·8·127 in magnitude and a pair sum twice that,
     * well inside 16 bits. About seven vector operations per block against nine for the float-lane kernel it replaced.
     */
    static float q4_0Shorts(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int pairs = nb / 2;
        int yb = row * nb;
        int yp = row * pairs * 96;
        short[] y = in.q40;
        float[] dy = in.d;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        int p = 0;
        // two pairs per step into two accumulators, the odd pair out written again below: one pair per step with the
        // accumulators swapping gave the same bits but ran ~20% slower (C2 kept the swap)
        for (; p + 2 <= pairs; p += 2) {
            long bo = off + 36L * p;
            int yo = yp + 96 * p;
            ShortVector x0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, bo + 2, LE)
                    .blend(ByteVector.fromMemorySegment(B256, w, bo + 4, LE), SECOND_BLOCK_BYTES)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            ShortVector x1 = (ShortVector) ByteVector.fromMemorySegment(B256, w, bo + 38, LE)
                    .blend(ByteVector.fromMemorySegment(B256, w, bo + 40, LE), SECOND_BLOCK_BYTES)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            IntVector p0 = x0.and((short) 0x0F)
                    .mul(ShortVector.fromArray(S512, y, yo))
                    .add(x0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S512, y, yo + 32)))
                    .sub(ShortVector.fromArray(S512, y, yo + 64))
                    .reinterpretAsInts();
            IntVector p1 = x1.and((short) 0x0F)
                    .mul(ShortVector.fromArray(S512, y, yo + 96))
                    .add(x1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S512, y, yo + 128)))
                    .sub(ShortVector.fromArray(S512, y, yo + 160))
                    .reinterpretAsInts();
            p0 = p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            p1 = p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            int ib = yb + 2 * p;
            FloatVector s0 = FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo)) * dy[ib])
                    .blend(Float.float16ToFloat(w.get(SHORT, bo + 18)) * dy[ib + 1], SECOND_BLOCK_FLOATS);
            FloatVector s1 = FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo + 36)) * dy[ib + 2])
                    .blend(Float.float16ToFloat(w.get(SHORT, bo + 54)) * dy[ib + 3], SECOND_BLOCK_FLOATS);
            acc0 = ((FloatVector) p0.convert(VectorOperators.I2F, 0)).fma(s0, acc0);
            acc1 = ((FloatVector) p1.convert(VectorOperators.I2F, 0)).fma(s1, acc1);
        }
        for (; p < pairs; p++) {
            long bo = off + 36L * p;
            int yo = yp + 96 * p;
            ShortVector x0 = (ShortVector) ByteVector.fromMemorySegment(B256, w, bo + 2, LE)
                    .blend(ByteVector.fromMemorySegment(B256, w, bo + 4, LE), SECOND_BLOCK_BYTES)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
            IntVector p0 = x0.and((short) 0x0F)
                    .mul(ShortVector.fromArray(S512, y, yo))
                    .add(x0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S512, y, yo + 32)))
                    .sub(ShortVector.fromArray(S512, y, yo + 64))
                    .reinterpretAsInts();
            p0 = p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
            int ib = yb + 2 * p;
            FloatVector s0 = FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo)) * dy[ib])
                    .blend(Float.float16ToFloat(w.get(SHORT, bo + 18)) * dy[ib + 1], SECOND_BLOCK_FLOATS);
            acc0 = ((FloatVector) p0.convert(VectorOperators.I2F, 0)).fma(s0, acc0);
        }
        FloatVector v = acc0.add(acc1);
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        float sum = (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
        if (nb % 2 != 0) { // an odd block out: its exact sum, as the reference takes it
            long bo = off + 18L * (nb - 1);
            int yo = (yb + nb - 1) * 32;
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                int q = w.get(ValueLayout.JAVA_BYTE, bo + 2 + j) & 0xFF;
                sumi += ((q & 0x0F) - 8) * in.qs[yo + j] + ((q >>> 4) - 8) * in.qs[yo + j + 16];
            }
            sum += sumi * (Float.float16ToFloat(w.get(SHORT, bo)) * dy[yb + nb - 1]);
        }
        return sum;
    }

    /** Q4_0 · Q8_0 in float lanes of any width: nibbles minus 8, per block Σq·y exactly in lanes. */
    static float q4_0AnyWidth(MemorySegment w, long off, InputRows in, int row) {
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
        float[] lanes = SCRATCH.get().sumLanes;
        acc0.add(acc1).intoArray(lanes, 0);
        return sum(lanes);
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
     * Σ over a row's groups of sixteen decoded values: {@code scale[g]·Σ a·y}. The K kernels decode a whole row first
     * (values {@code a} and one scale per group), so this is one call per row and no vector crosses a call (one that C2
     * does not inline is boxed). The byte-to-float conversion is written out here, not in a helper returning a vector:
     * with the helper, C2 left the conversion as Java code in every Q2_K bench run (allocating some 40 GB a run). Two
     * accumulators, so consecutive groups do not wait on one another's multiply-add.
     */
    private static float rowGroups(byte[] a, float[] scale, float[] y, int yo, int n, float[] lanes) {
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        for (int g = 0; g < n / 16; g += 2) {
            int o = 16 * g;
            int yg = yo + o;
            FloatVector t0 = ((FloatVector) ByteVector.fromArray(BP, a, o).convertShape(VectorOperators.B2F, FP, 0))
                    .mul(FloatVector.fromArray(FP, y, yg));
            FloatVector t1 = ((FloatVector)
                            ByteVector.fromArray(BP, a, o + 16).convertShape(VectorOperators.B2F, FP, 0))
                    .mul(FloatVector.fromArray(FP, y, yg + 16));
            for (int k = L; k < 16; k += L) {
                t0 = ((FloatVector) ByteVector.fromArray(BP, a, o + k).convertShape(VectorOperators.B2F, FP, 0))
                        .fma(FloatVector.fromArray(FP, y, yg + k), t0);
                t1 = ((FloatVector) ByteVector.fromArray(BP, a, o + 16 + k).convertShape(VectorOperators.B2F, FP, 0))
                        .fma(FloatVector.fromArray(FP, y, yg + 16 + k), t1);
            }
            acc0 = t0.fma(FloatVector.broadcast(FP, scale[g]), acc0);
            acc1 = t1.fma(FloatVector.broadcast(FP, scale[g + 1]), acc1);
        }
        acc0.add(acc1).intoArray(lanes, 0);
        return sum(lanes);
    }

    /**
     * {@code Σ a[ao+k]·b[bo+k]} over {@code len} values, a multiple of 16, per lane: a row's group scales (or mins)
     * times the activations' sums of 16, the part of a K row's product that an offset or a min contributes.
     */
    private static float dot(float[] a, int ao, float[] b, int bo, int len, float[] lanes) {
        FloatVector acc = FloatVector.zero(FP);
        for (int k = 0; k < len; k += L) {
            acc = FloatVector.fromArray(FP, a, ao + k).fma(FloatVector.fromArray(FP, b, bo + k), acc);
        }
        acc.intoArray(lanes, 0);
        return sum(lanes);
    }

    /**
     * Q4_K · Q8_K: eight groups of 32 with 6-bit scales and mins, in 16-bit lanes ({@link #SHORTS}), one block per
     * step: the packed scales and mins are gathered in int arithmetic from three words ({@code u0 u1 u2}: scales 0–3
     * are {@code u0}'s bytes' low six bits, mins 0–3 {@code u1}'s; scales 4–7 the low nibbles of {@code u2} with the
     * top two bits of {@code u0}'s bytes, mins 4–7 the high nibbles of {@code u2} with the top bits of {@code u1}'s)
     * into two longs, which become sixteen float lanes without a trip through memory; the mins meet the activations'
     * sums of 32 in one multiply per block; each 32 bytes of nibbles become 32 short lanes, masked for one group and
     * shifted for the next, multiplied by the activations and pair-summed into 16 exact int sums per group. In L2, one
     * core: float lanes 3.5-5.9 GB/s, then 5.6-9.5 with the scale gathering, then ~9.4 against ~7.6 in shorts.
     *
     * <p>Two things keep C2 from leaving vector operations as Java code here (in some runs it did, and generation on
     * the 1.1B Q4_K_M fell to 2-7 tok/s from 16): the four 64-value chunks stay a loop rather than written out, and the
     * row is read from a per-thread copy ({@code MemorySegment.copy}, then byte-array loads), because bounds checks on
     * the mapped segment were left as calls. The copy costs Q8_0 speed, so only this kernel makes it.
     */
    static float q4_K(MemorySegment w, long off, InputRows in, int row) {
        return SHORTS ? k45One(w, off, in, row, false) : q4_KAnyWidth(w, off, in, row);
    }

    /**
     * Q5_K · Q8_K in 16-bit lanes ({@link #SHORTS}; callers check), as {@link #q4_K} with each value's fifth bit: the
     * 32 high-bit bytes widen to shorts once per block, and chunk {@code c} takes bit {@code 2c} of each (as 16) for its
     * low nibbles and bit {@code 2c+1} for its high ones. Values up to 31, so a pair of products stays within 16 bits.
     */
    static float q5_K(MemorySegment w, long off, InputRows in, int row) {
        return k45One(w, off, in, row, true);
    }

    /** One row of {@link #k45Rows}. */
    private static float k45One(MemorySegment w, long off, InputRows in, int row, boolean five) {
        float[] one = SCRATCH.get().one;
        k45Rows(w, off, 0, 1, in, row, one, 0, five);
        return one[0];
    }

    /**
     * {@link #q4_K} ({@code five} false, 144-byte blocks) and {@link #q5_K} (176-byte blocks, high bits at 16) for
     * {@code nRows} weight rows from {@code off0}, {@code rowBytes} apart, · activation row {@code row}, into
     * {@code out[outOff..outOff+nRows)}; callers check {@link #SHORTS}. One call for a run of rows saves the per-row
     * call, scratch lookup and copy checks: with 2048 columns these were about a seventh of the time (one core in L2,
     * twelve alternations: 10.1-11.6 GB/s row by row, 10.2-13.4 median 13.2 a run per call).
     */
    static void k45Rows(
            MemorySegment w,
            long off0,
            long rowBytes,
            int nRows,
            InputRows in,
            int row,
            float[] out,
            int outOff,
            boolean five) {
        int block = five ? 176 : 144;
        int qs = five ? 48 : 16;
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qsh;
        float[] ksum = in.ksum32;
        Scratch s = SCRATCH.get().ensureBytes(nb * block);
        float[] sc = s.scales;
        byte[] r = s.rowBytes;
        for (int j = 0; j < nRows; j++) {
            MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off0 + j * rowBytes, r, 0, nb * block);
            FloatVector acc0 = FloatVector.zero(FP);
            FloatVector acc1 = FloatVector.zero(FP);
            FloatVector accMin = FloatVector.zero(FP);
            for (int i = 0; i < nb; i++) {
                int bo = block * i;
                float dy = in.d[yb + i];
                float d = Float.float16ToFloat((short) SHORT_LE.get(r, bo)) * dy;
                float dmin = Float.float16ToFloat((short) SHORT_LE.get(r, bo + 2)) * dy;
                int u0 = (int) INT_LE.get(r, bo + 4);
                int u1 = (int) INT_LE.get(r, bo + 8);
                int u2 = (int) INT_LE.get(r, bo + 12);
                // eight scales then eight mins, one byte each, into one 128-bit vector without going through memory
                long scales = (u0 & 0x3f3f3f3fL) | (long) ((u2 & 0x0f0f0f0f) | ((u0 >>> 6) & 0x03030303) << 4) << 32;
                long mins =
                        (u1 & 0x3f3f3f3fL) | (long) (((u2 >>> 4) & 0x0f0f0f0f) | ((u1 >>> 6) & 0x03030303) << 4) << 32;
                FloatVector scaleMin = (FloatVector) LongVector.zero(L128)
                        .withLane(0, scales)
                        .withLane(1, mins)
                        .reinterpretAsBytes()
                        .convertShape(VectorOperators.B2F, FP, 0);
                // lanes 0-7 of ksum32 are zero: only the mins meet the sums of 32
                accMin = scaleMin.mul(FloatVector.fromArray(FP, ksum, (yb + i) * 16))
                        .fma(FloatVector.broadcast(FP, dmin), accMin);
                scaleMin.mul(d).intoArray(sc, 0);
                int yo = (yb + i) * 256;
                // Q5_K's high-bit bytes as shorts, once per block (zeros for Q4_K: a vector, not null, stays
                // in registers)
                ShortVector highBits = five
                        ? (ShortVector) ByteVector.fromArray(B256, r, bo + 16)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0)
                        : ShortVector.zero(S512);
                for (int c = 0; c < 4; c++) {
                    int yc = yo + 64 * c;
                    // 32 bytes: group 2c in the low nibbles, group 2c+1 in the high ones, as 32 short lanes
                    ShortVector q = (ShortVector) ByteVector.fromArray(B256, r, bo + qs + 32 * c)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    ShortVector lo = q.and((short) 0x0F);
                    ShortVector hi = q.lanewise(VectorOperators.LSHR, 4);
                    if (five) {
                        ShortVector h = highBits.lanewise(VectorOperators.LSHR, 2 * c);
                        lo = lo.or(h.lanewise(VectorOperators.LSHL, 4).and((short) 0x10));
                        hi = hi.or(h.lanewise(VectorOperators.LSHL, 3).and((short) 0x10));
                    }
                    IntVector pl = lo.mul(ShortVector.fromArray(S512, y, yc)).reinterpretAsInts();
                    IntVector ph =
                            hi.mul(ShortVector.fromArray(S512, y, yc + 32)).reinterpretAsInts();
                    // pair sums (see SHORTS), written out: a helper returning a vector may be compiled as a call
                    pl = pl.add(pl.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                    ph = ph.add(ph.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                    acc0 = ((FloatVector) pl.convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(FP, sc[2 * c]), acc0);
                    acc1 = ((FloatVector) ph.convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(FP, sc[2 * c + 1]), acc1);
                }
            }
            FloatVector v = acc0.add(acc1).sub(accMin);
            FloatVector t =
                    v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
            out[outOff + j] = (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
        }
    }

    /** Float bits of IQ4_NL's sixteen levels, lane {@code i} level {@code i}. */
    private static final IntVector IQ4_NL_VALUES = L == 16 ? IntVector.fromArray(IP, iq4Values(), 0) : null;

    private static int[] iq4Values() {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) {
            v[i] = Float.floatToIntBits(io.quantscope.quant.IQ4_NL.value(i));
        }
        return v;
    }

    /** BF16 · BF16-rounded activations with 16 float lanes (callers check {@link #SIXTEEN}): a BF16 is the top half of a float. */
    static float bf16(MemorySegment w, long off, float[] y, int yo, int n) {
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        int i = 0;
        for (; i + 32 <= n; i += 32) {
            long o = off + 2L * i;
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S256, w, o, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_S2I, IP, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FP, y, yo + i), acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S256, w, o + 32, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_S2I, IP, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FP, y, yo + i + 16), acc1);
        }
        FloatVector v = acc0.add(acc1);
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        float sum = (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
        for (; i < n; i++) {
            sum += Mem.bf16(w, off + 2L * i) * y[yo + i];
        }
        return sum;
    }

    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;

    /**
     * Where {@link #block32} finds a type's parts in its block: {@code qh}, the high-bit word's offset, or -1 for the
     * four-bit types; {@code qs}, the nibbles' offset; {@code bias}, added to each five-bit level (-16 for Q5_0, else
     * 0); {@code min}, whether the block has a min at byte 2; {@code iq4}, IQ4_NL's levels from its table by permute.
     */
    record Block32Lanes(int qh, int qs, int bias, boolean min, boolean iq4) {}

    /** Lane indices 0-15 and 16-31: the bit of a 32-bit high-bit word each lane of a Q5_0/Q5_1 block takes. */
    private static final IntVector LOW_BITS = L == 16 ? IntVector.fromArray(IP, iota(0), 0) : null;

    private static final IntVector HIGH_BITS = L == 16 ? IntVector.fromArray(IP, iota(16), 0) : null;

    private static int[] iota(int from) {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) {
            v[i] = from + i;
        }
        return v;
    }

    /**
     * Q4_1, Q5_0, Q5_1 and IQ4_NL with 16 float lanes (callers check {@link #SIXTEEN}): per block the 32 levels (nibbles, and
     * for the five-bit types each one's bit of the high-bit word, taken in int lanes by a shift per lane) as two float
     * vectors, times the activations, summed per lane and scaled by {@code dx·dy}; Q4_1's and Q5_1's {@code m·sy} added
     * per block as ggml adds it. {@code blockBytes}: 18, 20, 22 or 24; the rest of the block's layout in {@code layout}.
     */
    static float block32(MemorySegment w, long off, InputRows in, int row, int blockBytes, Block32Lanes layout) {
        int qh = layout.qh();
        int qs = layout.qs();
        int bias = layout.bias();
        boolean min = layout.min();
        boolean iq4 = layout.iq4();
        int nb = in.n / 32;
        int yb = row * nb;
        float[] y = in.qf;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        float mins = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + (long) blockBytes * ib;
            int yo = (yb + ib) * 32;
            IntVector q = (IntVector)
                    ByteVector.fromMemorySegment(B128, w, bo + qs, LE).convertShape(UB2I, IP, 0);
            IntVector lo = q.and(0x0F);
            IntVector hi = q.lanewise(VectorOperators.LSHR, 4);
            if (qh >= 0) {
                IntVector h = IntVector.broadcast(IP, w.get(Mem.INT, bo + qh));
                lo = lo.or(h.lanewise(VectorOperators.LSHR, LOW_BITS)
                                .lanewise(VectorOperators.LSHL, 4)
                                .and(0x10))
                        .add(bias);
                hi = hi.or(h.lanewise(VectorOperators.LSHR, HIGH_BITS)
                                .lanewise(VectorOperators.LSHL, 4)
                                .and(0x10))
                        .add(bias);
            }
            FloatVector flo = iq4
                    ? lo.selectFrom(IQ4_NL_VALUES).reinterpretAsFloats()
                    : (FloatVector) lo.convert(VectorOperators.I2F, 0);
            FloatVector fhi = iq4
                    ? hi.selectFrom(IQ4_NL_VALUES).reinterpretAsFloats()
                    : (FloatVector) hi.convert(VectorOperators.I2F, 0);
            FloatVector sum = flo.mul(FloatVector.fromArray(FP, y, yo));
            sum = fhi.fma(FloatVector.fromArray(FP, y, yo + 16), sum);
            FloatVector scale = FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo)) * in.d[yb + ib]);
            if ((ib & 1) == 0) {
                acc0 = sum.fma(scale, acc0);
            } else {
                acc1 = sum.fma(scale, acc1);
            }
            if (min) {
                mins += Float.float16ToFloat(w.get(SHORT, bo + 2)) * in.s[yb + ib];
            }
        }
        FloatVector v = acc0.add(acc1);
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3)) + mins;
    }

    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Long> L128 = LongVector.SPECIES_128;
    private static final VectorOperators.Conversion<Byte, Integer> UB2I = VectorOperators.ZERO_EXTEND_B2I;

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
        acc.intoArray(s.sumLanes, 0);
        return sum(s.sumLanes) - mins;
    }

    /** Q3_K · Q8_K: sixteen groups of 16 values in [-4, 3] (two bits, and a high bit that, unset, takes 4 off). */
    static float q3_K(MemorySegment w, long off, InputRows in, int row) {
        return SHORTS ? q3_KShorts(w, off, in, row) : q3_KBytes(w, off, in, row);
    }

    /** {@link #q3_K} by a row decoded to bytes, then {@link #rowGroups} in float lanes: for machines without {@link #SHORTS}. */
    static float q3_KBytes(MemorySegment w, long off, InputRows in, int row) {
        int n = in.n;
        int nb = n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get().ensureRow(n);
        byte[] a = s.rowValues;
        float[] sc = s.rowScales;
        for (int i = 0; i < nb; i++) {
            long bo = off + 110L * i;
            float d = Float.float16ToFloat(w.get(SHORT, bo + 108)) * in.d[yb + i];
            // the sixteen 6-bit scales (KScales.scale3) in int arithmetic: low nibbles from the first eight bytes,
            // two high bits each from the next four; then to float lanes, minus 32, times d
            int a0 = w.get(Mem.INT, bo + 96);
            int a1 = w.get(Mem.INT, bo + 100);
            int t = w.get(Mem.INT, bo + 104);
            int s0 = (a0 & 0x0F0F0F0F) | ((t & 0x03030303) << 4);
            int s1 = (a1 & 0x0F0F0F0F) | (((t >>> 2) & 0x03030303) << 4);
            int s2 = ((a0 >>> 4) & 0x0F0F0F0F) | (((t >>> 4) & 0x03030303) << 4);
            int s3 = ((a1 >>> 4) & 0x0F0F0F0F) | (((t >>> 6) & 0x03030303) << 4);
            // into one 128-bit vector without going through memory, as q4_K does
            ByteVector six = LongVector.zero(L128)
                    .withLane(0, Integer.toUnsignedLong(s0) | (long) s1 << 32)
                    .withLane(1, Integer.toUnsignedLong(s2) | (long) s3 << 32)
                    .reinterpretAsBytes();
            for (int p = 0; p < 16 / L; p++) {
                ((FloatVector) six.convertShape(VectorOperators.B2F, FP, p))
                        .sub(32f)
                        .mul(d)
                        .intoArray(sc, 16 * i + p * L);
            }
            q3Values(w, bo, a, 256 * i);
        }
        return rowGroups(a, sc, in.qf, yb * 256, n, s.sumLanes);
    }

    /** The 256 values of a Q3_K block, in [-4, 3], into {@code a} from {@code ao} (group {@code j}'s at {@code 16j}). */
    static void q3Values(MemorySegment w, long bo, byte[] a, int ao) {
        ByteVector hm = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo, LE);
        for (int n = 0; n < 2; n++) {
            IntVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo + 32 + 32L * n, LE)
                    .reinterpretAsInts();
            for (int j = 0; j < 4; j++) {
                // two-bit fields cut in int lanes with a byte mask (a shift of byte lanes is four instructions on x86)
                ByteVector v = q.lanewise(VectorOperators.LSHR, 2 * j)
                        .and(VectorDots.LOW_TWO_BITS)
                        .reinterpretAsBytes();
                v.sub((byte) 4, hm.and((byte) (1 << (4 * n + j))).compare(VectorOperators.EQ, (byte) 0))
                        .intoArray(a, ao + 128 * n + 32 * j);
            }
        }
    }

    /** The 256 two-bit values of a Q2_K block, in [0, 3], into {@code a} from {@code ao} (group {@code j}'s at {@code 16j}). */
    static void q2Values(MemorySegment w, long bo, byte[] a, int ao) {
        for (int k = 0; k < 2; k++) {
            IntVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo + 16 + 32L * k, LE)
                    .reinterpretAsInts();
            int o = ao + 128 * k;
            // two-bit fields cut in int lanes with a byte mask (a shift of byte lanes is four instructions on x86)
            q.and(VectorDots.LOW_TWO_BITS).reinterpretAsBytes().intoArray(a, o);
            q.lanewise(VectorOperators.LSHR, 2)
                    .and(VectorDots.LOW_TWO_BITS)
                    .reinterpretAsBytes()
                    .intoArray(a, o + 32);
            q.lanewise(VectorOperators.LSHR, 4)
                    .and(VectorDots.LOW_TWO_BITS)
                    .reinterpretAsBytes()
                    .intoArray(a, o + 64);
            q.lanewise(VectorOperators.LSHR, 6)
                    .and(VectorDots.LOW_TWO_BITS)
                    .reinterpretAsBytes()
                    .intoArray(a, o + 96);
        }
    }

    /**
     * Q6_K · Q8_K: sixteen groups of 16 values in [-32, 31] with int8 scales. The values are decoded without their
     * offset (0..63); the offset comes back once per row as {@code 32·Σ scale·Σy} from the activations' sums of 16.
     */
    static float q6_K(MemorySegment w, long off, InputRows in, int row) {
        return SHORTS ? q6_KShorts(w, off, in, row) : q6_KBytes(w, off, in, row);
    }

    /** {@link #q6_K} by a row decoded to bytes, then {@link #rowGroups} in float lanes: for machines without {@link #SHORTS}. */
    static float q6_KBytes(MemorySegment w, long off, InputRows in, int row) {
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
                // written out, not through bytes(): C2 would not inline that here, and a vector returned is boxed
                ((FloatVector) ByteVector.fromMemorySegment(BP, w, bo + 192 + k, LE)
                                .convertShape(VectorOperators.B2F, FP, 0))
                        .mul(d)
                        .intoArray(sc, 16 * i + k);
            }
        }
        return rowGroups(a, sc, in.qf, yb * 256, n, s.sumLanes)
                - 32 * dot(sc, 0, in.ksum16, yb * 16, n / 16, s.sumLanes);
    }

    /** Scale lanes for a pair of groups of 16: lanes 0-7 group {@code 2k}'s, lanes 8-15 group {@code 2k+1}'s. */
    private static final VectorShuffle<Float>[] GROUP_PAIRS = pairShuffles(FP, L == 16);

    /**
     * Eight shuffles of {@code species}, shuffle {@code k} spreading lane {@code 2k} over the first half of the lanes
     * and lane {@code 2k+1} over the second (nulls where {@code used} is false, and the species may not be that wide).
     */
    @SuppressWarnings("unchecked")
    private static <E> VectorShuffle<E>[] pairShuffles(VectorSpecies<E> species, boolean used) {
        VectorShuffle<E>[] pairs = new VectorShuffle[8];
        if (used) {
            int n = species.length();
            for (int k = 0; k < 8; k++) {
                int[] index = new int[n];
                for (int l = 0; l < n; l++) {
                    index[l] = 2 * k + l / (n / 2);
                }
                pairs[k] = VectorShuffle.fromArray(species, index, 0);
            }
        }
        return pairs;
    }

    /**
     * {@link #q6_K} in 16-bit lanes ({@link #SHORTS}): each 32 values (two groups) are cut from the bits in int lanes as
     * {@link VectorDots#decodeQ6} does, but stay in registers, widen to 32 short lanes, meet the activations in one
     * multiply and are pair-summed into 16 int lanes, eight per group; the block's sixteen scales go to float lanes
     * once and are spread to each pair of groups by a permute. The offset of 32 comes back once per block from the
     * activations' sums of 16. In L2, one core: 9.0 → 14.7 GB/s; two threads over the whole file 12 → 20 GB/s.
     */
    static float q6_KShorts(MemorySegment w, long off, InputRows in, int row) {
        float[] one = SCRATCH.get().one;
        q6Rows(w, off, 0, 1, in, row, one, 0);
        return one[0];
    }

    /**
     * {@link #q6_KShorts} for {@code nRows} weight rows from {@code off0}, {@code rowBytes} apart, · activation row
     * {@code row}, into {@code out[outOff..outOff+nRows)}; callers check {@link #SHORTS}. One call for a run of rows
     * saves the per-row call, scratch lookup and lane sum setup, as {@link #k45Rows} does.
     */
    static void q6Rows(
            MemorySegment w, long off0, long rowBytes, int nRows, InputRows in, int row, float[] out, int outOff) {
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qsh;
        float[] ksum = in.ksum16;
        for (int r = 0; r < nRows; r++) {
            long off = off0 + r * rowBytes;
            FloatVector acc0 = FloatVector.zero(FP);
            FloatVector acc1 = FloatVector.zero(FP);
            FloatVector accOffset = FloatVector.zero(FP);
            for (int i = 0; i < nb; i++) {
                long bo = off + 210L * i;
                float d = Float.float16ToFloat(w.get(SHORT, bo + 208)) * in.d[yb + i];
                FloatVector scales = ((FloatVector) ByteVector.fromMemorySegment(B128, w, bo + 192, LE)
                                .convertShape(VectorOperators.B2F, FP, 0))
                        .mul(d);
                accOffset = scales.fma(FloatVector.fromArray(FP, ksum, (yb + i) * 16), accOffset);
                for (int j = 0; j < 2; j++) {
                    long ql = bo + 64L * j;
                    int yo = (yb + i) * 256 + 128 * j;
                    IntVector lo = ByteVector.fromMemorySegment(B256, w, ql, LE).reinterpretAsInts();
                    IntVector hi =
                            ByteVector.fromMemorySegment(B256, w, ql + 32, LE).reinterpretAsInts();
                    IntVector h = ByteVector.fromMemorySegment(B256, w, bo + 128 + 32L * j, LE)
                            .reinterpretAsInts();
                    ByteVector v0 = lo.and(VectorDots.LOW_NIBBLES)
                            .or(h.lanewise(VectorOperators.LSHL, 4).and(VectorDots.BITS_4_5))
                            .reinterpretAsBytes();
                    ByteVector v1 = hi.and(VectorDots.LOW_NIBBLES)
                            .or(h.lanewise(VectorOperators.LSHL, 2).and(VectorDots.BITS_4_5))
                            .reinterpretAsBytes();
                    ByteVector v2 = lo.lanewise(VectorOperators.LSHR, 4)
                            .and(VectorDots.LOW_NIBBLES)
                            .or(h.and(VectorDots.BITS_4_5))
                            .reinterpretAsBytes();
                    ByteVector v3 = hi.lanewise(VectorOperators.LSHR, 4)
                            .and(VectorDots.LOW_NIBBLES)
                            .or(h.lanewise(VectorOperators.LSHR, 2).and(VectorDots.BITS_4_5))
                            .reinterpretAsBytes();
                    IntVector p0 = ((ShortVector) v0.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                            .mul(ShortVector.fromArray(S512, y, yo))
                            .reinterpretAsInts();
                    IntVector p1 = ((ShortVector) v1.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                            .mul(ShortVector.fromArray(S512, y, yo + 32))
                            .reinterpretAsInts();
                    IntVector p2 = ((ShortVector) v2.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                            .mul(ShortVector.fromArray(S512, y, yo + 64))
                            .reinterpretAsInts();
                    IntVector p3 = ((ShortVector) v3.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                            .mul(ShortVector.fromArray(S512, y, yo + 96))
                            .reinterpretAsInts();
                    // pair sums (see SHORTS), written out: a helper returning a vector may be compiled as a call
                    p0 = p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                    p1 = p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                    p2 = p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                    p3 = p3.add(p3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                    acc0 = ((FloatVector) p0.convert(VectorOperators.I2F, 0))
                            .fma(scales.rearrange(GROUP_PAIRS[4 * j]), acc0);
                    acc1 = ((FloatVector) p1.convert(VectorOperators.I2F, 0))
                            .fma(scales.rearrange(GROUP_PAIRS[4 * j + 1]), acc1);
                    acc0 = ((FloatVector) p2.convert(VectorOperators.I2F, 0))
                            .fma(scales.rearrange(GROUP_PAIRS[4 * j + 2]), acc0);
                    acc1 = ((FloatVector) p3.convert(VectorOperators.I2F, 0))
                            .fma(scales.rearrange(GROUP_PAIRS[4 * j + 3]), acc1);
                }
            }
            FloatVector v = acc0.add(acc1).sub(accOffset.mul(32f));
            FloatVector t =
                    v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
            out[outOff + r] = (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
        }
    }

    /** Q2_K · Q8_K: sixteen groups of 16 two-bit values with 4-bit scales and mins. */
    static float q2_K(MemorySegment w, long off, InputRows in, int row) {
        return SHORTS ? q2_KShorts(w, off, in, row) : q2_KBytes(w, off, in, row);
    }

    /** {@link #q2_K} by a row decoded to bytes, then {@link #rowGroups} in float lanes: for machines without {@link #SHORTS}. */
    static float q2_KBytes(MemorySegment w, long off, InputRows in, int row) {
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
        return rowGroups(a, sc, in.qf, yb * 256, n, s.sumLanes) - dot(mins, 0, in.ksum16, yb * 16, n / 16, s.sumLanes);
    }

    /** Short lanes for a pair of groups of 16: lanes 0-15 group {@code 2k}'s, lanes 16-31 group {@code 2k+1}'s. */
    private static final VectorShuffle<Short>[] SHORT_PAIRS = pairShuffles(S512, SHORTS);

    /**
     * {@link #q2_K} in 16-bit lanes ({@link #SHORTS}): each 32 two-bit values (two groups of 16) cut from their bytes
     * in int lanes and widened to shorts, then multiplied first by their groups' scales (the low nibbles, spread to the
     * 32 lanes by a permute) and then by the activations. A value times its scale is at most 45, so each product is
     * at most 5,715 in magnitude (Q8_K activations are within ±127): two such products added as shorts, and then
     * pair-summed into int lanes ({@link #SHORTS}), stay within 16 bits. So a block's 256 products become one int
     * vector after four pair sums, and meet {@code d} in one conversion and one multiply-add, as ggml sums a block in
     * integers; a pair sum, a conversion, a permute and a multiply-add per 32 values before. Operations per 128 values
     * 39 → 34; one core in L2 on the 1.1B Q2_K's matrices 6.5-6.8 → 7.3-7.6 GB/s (alternating runs). The mins (high
     * nibbles, times {@code dmin}) meet the activations' sums of 16 once per block.
     */
    static float q2_KShorts(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qsh;
        float[] ksum = in.ksum16;
        FloatVector acc = FloatVector.zero(FP);
        FloatVector accMin = FloatVector.zero(FP);
        for (int i = 0; i < nb; i++) {
            long bo = off + 84L * i;
            float dy = in.d[yb + i];
            ByteVector sb = ByteVector.fromMemorySegment(B128, w, bo, LE);
            accMin = ((FloatVector) ((IntVector) sb.convertShape(UB2I, IP, 0))
                            .lanewise(VectorOperators.LSHR, 4)
                            .convert(VectorOperators.I2F, 0))
                    .mul(FloatVector.fromArray(FP, ksum, (yb + i) * 16))
                    .fma(FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo + 82)) * dy), accMin);
            ShortVector scales =
                    ((ShortVector) sb.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0)).and((short) 0x0F);
            IntVector sum = IntVector.zero(IP);
            for (int j = 0; j < 2; j++) {
                int yo = (yb + i) * 256 + 128 * j;
                IntVector q = ByteVector.fromMemorySegment(B256, w, bo + 16 + 32L * j, LE)
                        .reinterpretAsInts();
                ByteVector v0 = q.and(VectorDots.LOW_TWO_BITS).reinterpretAsBytes();
                ByteVector v1 = q.lanewise(VectorOperators.LSHR, 2)
                        .and(VectorDots.LOW_TWO_BITS)
                        .reinterpretAsBytes();
                ByteVector v2 = q.lanewise(VectorOperators.LSHR, 4)
                        .and(VectorDots.LOW_TWO_BITS)
                        .reinterpretAsBytes();
                ByteVector v3 = q.lanewise(VectorOperators.LSHR, 6)
                        .and(VectorDots.LOW_TWO_BITS)
                        .reinterpretAsBytes();
                // value times its group's scale (at most 45) times the activation: at most 5,715 in magnitude, so two
                // such products and then a pair of those sums stay within 16 bits
                IntVector p01 = ((ShortVector) v0.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                        .mul(scales.rearrange(SHORT_PAIRS[4 * j]))
                        .mul(ShortVector.fromArray(S512, y, yo))
                        .add(((ShortVector) v1.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                                .mul(scales.rearrange(SHORT_PAIRS[4 * j + 1]))
                                .mul(ShortVector.fromArray(S512, y, yo + 32)))
                        .reinterpretAsInts();
                IntVector p23 = ((ShortVector) v2.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                        .mul(scales.rearrange(SHORT_PAIRS[4 * j + 2]))
                        .mul(ShortVector.fromArray(S512, y, yo + 64))
                        .add(((ShortVector) v3.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                                .mul(scales.rearrange(SHORT_PAIRS[4 * j + 3]))
                                .mul(ShortVector.fromArray(S512, y, yo + 96)))
                        .reinterpretAsInts();
                sum = sum.add(p01.add(p01.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16))
                        .add(p23.add(p23.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16));
            }
            acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.broadcast(FP, Float.float16ToFloat(w.get(SHORT, bo + 80)) * dy), acc);
        }
        FloatVector v = acc.sub(accMin);
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
    }

    /**
     * {@link #q3_K} in 16-bit lanes ({@link #SHORTS}), as {@link #q6_KShorts}, with each value taken as {@code q + 4h}
     * in [0, 7] (its two bits, and its high bit as 4) and the 4 it lacks given back once per block from the
     * activations' sums of 16: {@code q + 4h − 4} is the stored value.
     */
    static float q3_KShorts(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qsh;
        float[] ksum = in.ksum16;
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        FloatVector accOffset = FloatVector.zero(FP);
        for (int i = 0; i < nb; i++) {
            long bo = off + 110L * i;
            float d = Float.float16ToFloat(w.get(SHORT, bo + 108)) * in.d[yb + i];
            // the sixteen 6-bit scales as q3_K gathers them
            int a0 = w.get(Mem.INT, bo + 96);
            int a1 = w.get(Mem.INT, bo + 100);
            int t = w.get(Mem.INT, bo + 104);
            int s0 = (a0 & 0x0F0F0F0F) | ((t & 0x03030303) << 4);
            int s1 = (a1 & 0x0F0F0F0F) | (((t >>> 2) & 0x03030303) << 4);
            int s2 = ((a0 >>> 4) & 0x0F0F0F0F) | (((t >>> 4) & 0x03030303) << 4);
            int s3 = ((a1 >>> 4) & 0x0F0F0F0F) | (((t >>> 6) & 0x03030303) << 4);
            FloatVector scales = ((FloatVector) LongVector.zero(L128)
                            .withLane(0, Integer.toUnsignedLong(s0) | (long) s1 << 32)
                            .withLane(1, Integer.toUnsignedLong(s2) | (long) s3 << 32)
                            .reinterpretAsBytes()
                            .convertShape(VectorOperators.B2F, FP, 0))
                    .sub(32f)
                    .mul(d);
            accOffset = scales.fma(FloatVector.fromArray(FP, ksum, (yb + i) * 16), accOffset);
            IntVector hm = ByteVector.fromMemorySegment(B256, w, bo, LE).reinterpretAsInts();
            for (int j = 0; j < 2; j++) {
                int yo = (yb + i) * 256 + 128 * j;
                IntVector q = ByteVector.fromMemorySegment(B256, w, bo + 32 + 32L * j, LE)
                        .reinterpretAsInts();
                // value m of each byte: bits 2m..2m+1 of q, and bit 4j+m of hm moved to bit 2
                IntVector h = hm.lanewise(VectorOperators.LSHR, 4 * j);
                ByteVector v0 = q.and(VectorDots.LOW_TWO_BITS)
                        .or(h.lanewise(VectorOperators.LSHL, 2).and(BIT_2))
                        .reinterpretAsBytes();
                ByteVector v1 = q.lanewise(VectorOperators.LSHR, 2)
                        .and(VectorDots.LOW_TWO_BITS)
                        .or(h.lanewise(VectorOperators.LSHL, 1).and(BIT_2))
                        .reinterpretAsBytes();
                ByteVector v2 = q.lanewise(VectorOperators.LSHR, 4)
                        .and(VectorDots.LOW_TWO_BITS)
                        .or(h.and(BIT_2))
                        .reinterpretAsBytes();
                ByteVector v3 = q.lanewise(VectorOperators.LSHR, 6)
                        .and(VectorDots.LOW_TWO_BITS)
                        .or(h.lanewise(VectorOperators.LSHR, 1).and(BIT_2))
                        .reinterpretAsBytes();
                IntVector p0 = ((ShortVector) v0.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                        .mul(ShortVector.fromArray(S512, y, yo))
                        .reinterpretAsInts();
                IntVector p1 = ((ShortVector) v1.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                        .mul(ShortVector.fromArray(S512, y, yo + 32))
                        .reinterpretAsInts();
                IntVector p2 = ((ShortVector) v2.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                        .mul(ShortVector.fromArray(S512, y, yo + 64))
                        .reinterpretAsInts();
                IntVector p3 = ((ShortVector) v3.convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                        .mul(ShortVector.fromArray(S512, y, yo + 96))
                        .reinterpretAsInts();
                // pair sums (see SHORTS), written out: a helper returning a vector may be compiled as a call
                p0 = p0.add(p0.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                p1 = p1.add(p1.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                p2 = p2.add(p2.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                p3 = p3.add(p3.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
                acc0 = ((FloatVector) p0.convert(VectorOperators.I2F, 0))
                        .fma(scales.rearrange(GROUP_PAIRS[4 * j]), acc0);
                acc1 = ((FloatVector) p1.convert(VectorOperators.I2F, 0))
                        .fma(scales.rearrange(GROUP_PAIRS[4 * j + 1]), acc1);
                acc0 = ((FloatVector) p2.convert(VectorOperators.I2F, 0))
                        .fma(scales.rearrange(GROUP_PAIRS[4 * j + 2]), acc0);
                acc1 = ((FloatVector) p3.convert(VectorOperators.I2F, 0))
                        .fma(scales.rearrange(GROUP_PAIRS[4 * j + 3]), acc1);
            }
        }
        FloatVector v = acc0.add(acc1).sub(accOffset.mul(4f));
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3));
    }

    /** Bit 2 of each byte, where {@link #q3_KShorts} puts a value's high bit. */
    private static final int BIT_2 = 0x04040404;

    /** Halves converted per pass of {@link #f16Chunks}: 8 KB of floats, so a chunk and its activations stay in L1. */
    private static final int F16_CHUNK = 2048;

    /**
     * F16 · F16-rounded activations, products exact in float and accumulated per lane. With 16 float lanes the halves
     * become floats in registers by integer arithmetic, so the weights stream through one pass: a half sign-extended
     * to an int and shifted left 13 has its exponent and mantissa in a float's places and its sign in bit 31 (the
     * sign's copies in bits 28-30 are masked off); as a float that is the value times 2^-112 for every finite half,
     * subnormals included (a normal float down to 2^-126, below that a float subnormal that holds the half's bits
     * exactly). It meets the activations times 2^112 ({@link InputRows#f112}), so each product is the exact
     * product of weight and activation, rounded once as before: four operations per 16 weights (a multiply by 2^112
     * per weight before). An infinite or NaN half would come out finite, so the largest exponent field seen is tracked
     * and such a row is redone by {@link #f16Chunks}, which converts them exactly. 64 halves per pass
     * into four accumulators, the exponent check on 32 halves at a time, from the row's slice of the segment. One core
     * streaming the 1.1B F16 from memory: ~15 GB/s with a conversion pass through memory, 18-20 with this in registers,
     * 21-22 without the multiply (a plain read of the bytes: ~24); two threads 30-38 → 37-45.
     */
    static float f16(MemorySegment w, long off, InputRows in, int row) {
        int n = in.n;
        int yo = row * n;
        float[] y = in.f;
        float[] y112 = in.f112;
        if (L != 16) {
            return f16Chunks(w, off, y, yo, n);
        }
        MemorySegment r = w.asSlice(off, 2L * n);
        FloatVector acc0 = FloatVector.zero(FP);
        FloatVector acc1 = FloatVector.zero(FP);
        FloatVector acc2 = FloatVector.zero(FP);
        FloatVector acc3 = FloatVector.zero(FP);
        ShortVector top = ShortVector.zero(S512);
        int i = 0;
        for (; i + 64 <= n; i += 64) {
            long o = 2L * i;
            // the exponent fields, 32 halves per operation
            top = top.max(ShortVector.fromMemorySegment(S512, r, o, LE).and((short) 0x7C00))
                    .max(ShortVector.fromMemorySegment(S512, r, o + 64, LE).and((short) 0x7C00));
            IntVector x0 =
                    (IntVector) ShortVector.fromMemorySegment(S256, r, o, LE).convertShape(VectorOperators.S2I, IP, 0);
            IntVector x1 = (IntVector)
                    ShortVector.fromMemorySegment(S256, r, o + 32, LE).convertShape(VectorOperators.S2I, IP, 0);
            IntVector x2 = (IntVector)
                    ShortVector.fromMemorySegment(S256, r, o + 64, LE).convertShape(VectorOperators.S2I, IP, 0);
            IntVector x3 = (IntVector)
                    ShortVector.fromMemorySegment(S256, r, o + 96, LE).convertShape(VectorOperators.S2I, IP, 0);
            acc0 = x0.lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFE000)
                    .reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FP, y112, yo + i), acc0);
            acc1 = x1.lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFE000)
                    .reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FP, y112, yo + i + 16), acc1);
            acc2 = x2.lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFE000)
                    .reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FP, y112, yo + i + 32), acc2);
            acc3 = x3.lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFE000)
                    .reinterpretAsFloats()
                    .fma(FloatVector.fromArray(FP, y112, yo + i + 48), acc3);
        }
        float tail = 0; // exact conversions, infinities included
        for (; i < n; i++) {
            tail += Float.float16ToFloat(r.get(SHORT, 2L * i)) * y[yo + i];
        }
        if (top.reduceLanes(VectorOperators.MAX) == 0x7C00) {
            return f16Chunks(w, off, y, yo, n); // an infinite or NaN weight: the exact conversion
        }
        FloatVector v = acc0.add(acc1).add(acc2.add(acc3));
        FloatVector t = v.add(v.rearrange(SHIFT_4)).add(v.rearrange(SHIFT_8)).add(v.rearrange(SHIFT_12));
        return (t.lane(0) + t.lane(1)) + (t.lane(2) + t.lane(3)) + tail;
    }

    /**
     * {@link #f16} by a conversion pass: the row is converted chunk by chunk ({@link #halves}, C2's vectorized
     * {@code vcvtph2ps}), so even a long row (ffn_down's) never leaves L1 between its conversion and its products; four
     * accumulators.
     */
    static float f16Chunks(MemorySegment w, long off, float[] y, int yo, int n) {
        Scratch scratch = SCRATCH.get().ensure(Math.min(n, F16_CHUNK));
        float[] a = scratch.floats;
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
        acc0.add(acc1).add(acc2.add(acc3)).intoArray(scratch.sumLanes, 0); // a vector argument may be boxed
        return sum(scratch.sumLanes) + tail;
    }

    /**
     * F16 rows · each of a few tokens (fewer than a lane batch takes): {@link #f16} per row and token, so a token gets
     * the same bits as on its own. A row's second and third conversions come from L1.
     */
    static void f16Rows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        for (int j = 0; j < nRows; j++) {
            for (int t = 0; t < in.rows; t++) {
                out[outOff + j + t * stride] = f16(w, off + j * rowBytes, in, t);
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
        float[] lanes = SCRATCH.get().sumLanes;
        acc0.add(acc1).intoArray(lanes, 0);
        float sum = sum(lanes);
        for (; i < n; i++) {
            sum += Mem.f32(w, off + 4L * i) * y[yo + i];
        }
        return sum;
    }
}
