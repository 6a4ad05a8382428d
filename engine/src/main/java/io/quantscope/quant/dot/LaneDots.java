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
        /** An accumulator handed to {@link #groups} in memory, not as a vector (see there). */
        final float[] lanes = new float[L];

        float[] floats = new float[0];

        /** {@link #lanes}, zeroed for a new row. */
        float[] clearedLanes() {
            java.util.Arrays.fill(lanes, 0f);
            return lanes;
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
     * Σ over the sixteen groups of sixteen decoded values of a K block: {@code scale[g]·Σ a·y}, added to the float
     * lanes in {@code acc}. The accumulator travels through memory because C2 does not always inline this method into
     * its three callers, and a vector passed to or returned from a call that is not inlined is boxed: a float[16] and a
     * vector object per 256 weights, which JFR showed as most of the garbage in Q6_K generation.
     */
    private static void groups(byte[] a, float[] y, int yo, float[] scale, float[] acc) {
        FloatVector sum = FloatVector.fromArray(FP, acc, 0);
        for (int g = 0; g < 16; g++) {
            int o = g * 16;
            FloatVector t = ((FloatVector) ByteVector.fromArray(BP, a, o).convertShape(VectorOperators.B2F, FP, 0))
                    .mul(FloatVector.fromArray(FP, y, yo + o));
            for (int k = L; k < 16; k += L) {
                t = ((FloatVector) ByteVector.fromArray(BP, a, o + k).convertShape(VectorOperators.B2F, FP, 0))
                        .fma(FloatVector.fromArray(FP, y, yo + o + k), t);
            }
            sum = t.fma(FloatVector.broadcast(FP, scale[g]), sum);
        }
        sum.intoArray(acc, 0);
    }

    /** Q4_K · Q8_K: eight groups of 32 with 6-bit scales and mins; nibbles widened straight to int lanes. */
    static float q4_K(MemorySegment w, long off, InputRows in, int row) {
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
        int nb = in.n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get();
        byte[] a = s.values;
        byte[] packed = s.packed;
        float[] sc = s.scales;
        float[] acc = s.clearedLanes();
        for (int i = 0; i < nb; i++) {
            long bo = off + 110L * i;
            float d = half(w, bo + 108) * in.d[yb + i];
            Mem.scales12(w, bo + 96, packed);
            for (int j = 0; j < 16; j++) {
                sc[j] = d * KScales.scale3(packed, 0, j);
            }
            q3Values(w, bo, a);
            groups(a, in.qf, (yb + i) * 256, sc, acc);
        }
        return sum(FloatVector.fromArray(FP, acc, 0));
    }

    /** The 256 values of a Q3_K block, in [-4, 3], into {@code a} (group {@code j}'s sixteen at {@code 16j}). */
    static void q3Values(MemorySegment w, long bo, byte[] a) {
        ByteVector hm = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo, LE);
        for (int n = 0; n < 2; n++) {
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo + 32 + 32L * n, LE);
            for (int j = 0; j < 4; j++) {
                ByteVector v = q.lanewise(VectorOperators.LSHR, 2 * j).and((byte) 3);
                v.sub((byte) 4, hm.and((byte) (1 << (4 * n + j))).compare(VectorOperators.EQ, (byte) 0))
                        .intoArray(a, 128 * n + 32 * j);
            }
        }
    }

    /** The 256 two-bit values of a Q2_K block, in [0, 3], into {@code a} (group {@code j}'s sixteen at {@code 16j}). */
    static void q2Values(MemorySegment w, long bo, byte[] a) {
        for (int k = 0; k < 2; k++) {
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, w, bo + 16 + 32L * k, LE);
            q.and((byte) 3).intoArray(a, 128 * k);
            q.lanewise(VectorOperators.LSHR, 2).and((byte) 3).intoArray(a, 128 * k + 32);
            q.lanewise(VectorOperators.LSHR, 4).and((byte) 3).intoArray(a, 128 * k + 64);
            q.lanewise(VectorOperators.LSHR, 6).intoArray(a, 128 * k + 96);
        }
    }

    /** Q6_K · Q8_K: sixteen groups of 16 values in [-32, 31] with int8 scales. */
    static float q6_K(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get();
        byte[] a = s.values;
        float[] sc = s.scales;
        float[] acc = s.clearedLanes();
        for (int i = 0; i < nb; i++) {
            long bo = off + 210L * i;
            float d = half(w, bo + 208) * in.d[yb + i];
            VectorDots.decodeQ6(w, bo, a);
            for (int j = 0; j < 16; j++) {
                sc[j] = d * Mem.s8(w, bo + 192 + j);
            }
            groups(a, in.qf, (yb + i) * 256, sc, acc);
        }
        return sum(FloatVector.fromArray(FP, acc, 0));
    }

    /** Q2_K · Q8_K: sixteen groups of 16 two-bit values with 4-bit scales and mins. */
    static float q2_K(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        Scratch s = SCRATCH.get();
        byte[] a = s.values;
        float[] sc = s.scales;
        float[] acc = s.clearedLanes();
        float mins = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + 84L * i;
            float d = in.d[yb + i] * half(w, bo + 80);
            int summs = 0;
            int bs = (yb + i) * 16;
            for (int j = 0; j < 16; j++) {
                int b = Mem.u8(w, bo + j);
                summs += in.bsums[bs + j] * (b >>> 4);
                sc[j] = d * (b & 0xF);
            }
            mins += in.d[yb + i] * half(w, bo + 82) * summs;
            q2Values(w, bo, a);
            groups(a, in.qf, (yb + i) * 256, sc, acc);
        }
        return sum(FloatVector.fromArray(FP, acc, 0)) - mins;
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
