package io.quantscope.quant.dot;

import io.quantscope.quant.KScales;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API paths of the hot dot products. They compute the same integers as the scalar references (integer sums
 * are exact in any order) and keep ggml's float accumulation order per block, so their results are bit-identical;
 * the F32/F16 paths accumulate in double lanes, which can differ from the sequential double sum in the last bit of
 * the float result only in rare cases. Shapes are at most 256 bits so that AVX2 machines run them natively; on
 * machines whose vectors are narrower the scalar references run instead.
 */
final class VectorDots {
    static final boolean ENABLED =
            IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256 && !Boolean.getBoolean("quantscope.scalarKernels");

    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D256 = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorDots() {}

    /** 16 bytes of weights widened to 16 shorts. */
    private static ShortVector widen(ByteVector b16) {
        return (ShortVector) b16.convertShape(VectorOperators.B2S, S256, 0);
    }

    /** Sum of 16 short products as 8 int lanes (lane l gets elements l and l+8). */
    private static IntVector pairs(ShortVector p) {
        IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, I256, 0);
        IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, I256, 1);
        return lo.add(hi);
    }

    static float q8_0(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q8_0.dotReference(w, off, in, row);
        }
        int nb = in.n / 32;
        int yb = row * nb;
        short[] y = in.qs16;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            ShortVector a0 = widen(ByteVector.fromMemorySegment(B128, w, bo + 2, LE));
            ShortVector a1 = widen(ByteVector.fromMemorySegment(B128, w, bo + 18, LE));
            ShortVector p0 = a0.mul(ShortVector.fromArray(S256, y, yo));
            ShortVector p1 = a1.mul(ShortVector.fromArray(S256, y, yo + 16));
            // |a·y| ≤ 127·127, so two products still fit a short: add them before widening (the same integer sum)
            int sumi = pairs(p0.add(p1)).reduceLanes(VectorOperators.ADD);
            sumf += sumi * (Mem.f16(w, bo) * in.d[yb + ib]);
        }
        return sumf;
    }

    static float q4_0(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q4_0.dotReference(w, off, in, row);
        }
        int nb = in.n / 32;
        int yb = row * nb;
        short[] y = in.qs16;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 18L * ib;
            int yo = (yb + ib) * 32;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, bo + 2, LE);
            ShortVector lo = widen(q.and((byte) 0x0F).sub((byte) 8));
            ShortVector hi = widen(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
            ShortVector p =
                    lo.mul(ShortVector.fromArray(S256, y, yo)).add(hi.mul(ShortVector.fromArray(S256, y, yo + 16)));
            int sumi = pairs(p).reduceLanes(VectorOperators.ADD);
            sumf += sumi * Mem.f16(w, bo) * in.d[yb + ib];
        }
        return sumf;
    }

    /** Per-thread scratch for a decoded weight row (values as ints, block scales as floats). */
    private static final class RowScratch {
        float[] q = new float[0];
        float[] d = new float[0];
        float[] m = new float[0];
        final float[] lanes = new float[BATCH_LANES];

        RowScratch ensure(int n) {
            if (q.length < n) {
                q = new float[n];
                d = new float[n / 32 + 1];
                m = new float[n / 32 + 1];
            }
            return this;
        }
    }

    /** The batch kernels' shape: the preferred (widest) float vector. */
    private static final VectorSpecies<Float> FB = FloatVector.SPECIES_PREFERRED;

    static final int BATCH_LANES = FB.length();

    private static final ThreadLocal<RowScratch> SCRATCH = ThreadLocal.withInitial(RowScratch::new);

    /** Weight rows a batch kernel multiplies together, so each activation vector loaded serves all of them. */
    static final int ROWS = 4;

    /**
     * Q8_0 or Q4_0 rows × a batch: each group of {@link #ROWS} rows is decoded once, then multiplied with the
     * activations {@link #BATCH_LANES} tokens at a time. The activations are transposed, so each lane accumulates one
     * token's block sum and no horizontal sums are needed. The sums are integers below 2^24 taken with float
     * multiply-adds, so they are exact: the block terms are then scaled and added in ggml's order, giving the bits of
     * the one-token path. Returns false when the batch path does not apply.
     */
    static boolean block32Batch(
            GgmlType type,
            MemorySegment w,
            long off,
            long rowBytes,
            int nRows,
            InputRows in,
            float[] out,
            int outOff,
            int stride) {
        if (!ENABLED || in.tpad == 0) {
            return false;
        }
        Block32Decoder dec = decoder(type);
        Order order = order(type);
        if (dec == null) {
            return false;
        }
        int n = in.n;
        int nb = n / 32;
        int blockBytes = (int) type.rowBytes(32);
        RowScratch sc = SCRATCH.get().ensure(ROWS * n);
        for (int r0 = 0; r0 < nRows; r0 += ROWS) {
            for (int j = 0; j < ROWS; j++) {
                int r = r0 + j;
                if (r >= nRows) {
                    java.util.Arrays.fill(sc.q, j * n, (j + 1) * n, 0f);
                    java.util.Arrays.fill(sc.d, j * nb, (j + 1) * nb, 0f);
                    java.util.Arrays.fill(sc.m, j * nb, (j + 1) * nb, 0f);
                } else {
                    long ro = off + r * rowBytes;
                    for (int ib = 0; ib < nb; ib++) {
                        dec.decode(w, ro + (long) blockBytes * ib, sc.q, j * n + ib * 32, sc, j * nb + ib);
                    }
                }
            }
            batch32(sc, in, out, outOff + r0, stride, Math.min(ROWS, nRows - r0), order);
        }
        return true;
    }

    /** How a 32-weight block's integer sum becomes its float term, in each type's ggml order. */
    enum Order {
        /** {@code sumi·(dx·dy)}: Q8_0, Q5_0, IQ4_NL. */
        SCALE_FIRST,
        /** {@code (sumi·dx)·dy}: Q4_0. */
        SCALE_AFTER,
        /** {@code sumi·(dx·dy) + mx·sy}: Q4_1, Q5_1. */
        WITH_MIN
    }

    private static Order order(GgmlType type) {
        return switch (type) {
            case Q4_0 -> Order.SCALE_AFTER;
            case Q4_1, Q5_1 -> Order.WITH_MIN;
            default -> Order.SCALE_FIRST;
        };
    }

    /** Writes a block's 32 values as floats to {@code q[qo ..]} and its scale (and min) to the scratch at {@code bi}. */
    @FunctionalInterface
    private interface Block32Decoder {
        void decode(MemorySegment w, long bo, float[] q, int qo, RowScratch sc, int bi);
    }

    private static Block32Decoder decoder(GgmlType type) {
        return switch (type) {
            case Q8_0 ->
                (w, bo, q, qo, sc, bi) -> {
                    sc.d[bi] = Mem.f16(w, bo);
                    for (int k = 0; k < 32; k++) {
                        q[qo + k] = Mem.s8(w, bo + 2 + k);
                    }
                };
            case Q4_0 ->
                (w, bo, q, qo, sc, bi) -> {
                    sc.d[bi] = Mem.f16(w, bo);
                    nibbles(w, bo + 2, q, qo, -8);
                };
            case Q4_1 ->
                (w, bo, q, qo, sc, bi) -> {
                    sc.d[bi] = Mem.f16(w, bo);
                    sc.m[bi] = Mem.f16(w, bo + 2);
                    nibbles(w, bo + 4, q, qo, 0);
                };
            case Q5_0 ->
                (w, bo, q, qo, sc, bi) -> {
                    sc.d[bi] = Mem.f16(w, bo);
                    fiveBits(w, bo + 2, bo + 6, q, qo, -16);
                };
            case Q5_1 ->
                (w, bo, q, qo, sc, bi) -> {
                    sc.d[bi] = Mem.f16(w, bo);
                    sc.m[bi] = Mem.f16(w, bo + 2);
                    fiveBits(w, bo + 4, bo + 8, q, qo, 0);
                };
            case IQ4_NL ->
                (w, bo, q, qo, sc, bi) -> {
                    sc.d[bi] = Mem.f16(w, bo);
                    for (int k = 0; k < 16; k++) {
                        int b = Mem.u8(w, bo + 2 + k);
                        q[qo + k] = io.quantscope.quant.IQ4_NL.value(b & 0xF);
                        q[qo + k + 16] = io.quantscope.quant.IQ4_NL.value(b >>> 4);
                    }
                };
            default -> null;
        };
    }

    /** Low nibbles are values 0..15, high nibbles 16..31, each plus {@code bias}. */
    private static void nibbles(MemorySegment w, long qs, float[] q, int qo, int bias) {
        for (int k = 0; k < 16; k++) {
            int b = Mem.u8(w, qs + k);
            q[qo + k] = (b & 0x0F) + bias;
            q[qo + k + 16] = (b >>> 4) + bias;
        }
    }

    /** Q5_0/Q5_1 values: nibbles with a fifth bit from the 32-bit {@code qh}, plus {@code bias}. */
    private static void fiveBits(MemorySegment w, long qhOff, long qs, float[] q, int qo, int bias) {
        int qh = Mem.u32(w, qhOff);
        for (int k = 0; k < 16; k++) {
            int b = Mem.u8(w, qs + k);
            q[qo + k] = ((b & 0x0F) | (((qh >>> k) & 1) << 4)) + bias;
            q[qo + k + 16] = ((b >>> 4) | (((qh >>> (k + 16)) & 1) << 4)) + bias;
        }
    }

    /**
     * Four decoded rows × every token group. {@code scaleFirst}: Q8_0 computes {@code sumi·(dx·dy)}; Q4_0 computes
     * {@code (sumi·dx)·dy}.
     */
    private static void batch32(
            RowScratch sc, InputRows in, float[] out, int outOff, int stride, int rows, Order order) {
        int n = in.n;
        int nb = n / 32;
        int tp = in.tpad;
        float[] y = in.qT;
        float[] q = sc.q;
        float[] lanes = sc.lanes;
        int g = 0;
        for (; g + InputRows.GROUP < in.rows; g += 2 * InputRows.GROUP) {
            pair32(sc, in, out, outOff, stride, rows, order, g);
        }
        for (; g < in.rows; g += InputRows.GROUP) {
            FloatVector f0 = FloatVector.zero(FB);
            FloatVector f1 = f0;
            FloatVector f2 = f0;
            FloatVector f3 = f0;
            for (int ib = 0; ib < nb; ib++) {
                FloatVector a0 = FloatVector.zero(FB);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                int base = ib * 32 * tp + g;
                int wo = ib * 32;
                for (int k = 0; k < 32; k++) {
                    FloatVector yv = FloatVector.fromArray(FB, y, base + k * tp);
                    a0 = yv.fma(FloatVector.broadcast(FB, q[wo + k]), a0);
                    a1 = yv.fma(FloatVector.broadcast(FB, q[n + wo + k]), a1);
                    a2 = yv.fma(FloatVector.broadcast(FB, q[2 * n + wo + k]), a2);
                    a3 = yv.fma(FloatVector.broadcast(FB, q[3 * n + wo + k]), a3);
                }
                FloatVector dy = FloatVector.fromArray(FB, in.dT, ib * tp + g);
                FloatVector sy = order == Order.WITH_MIN ? FloatVector.fromArray(FB, in.sT, ib * tp + g) : dy;
                f0 = f0.add(term(a0, dy, sy, sc, ib, order));
                f1 = f1.add(term(a1, dy, sy, sc, nb + ib, order));
                f2 = f2.add(term(a2, dy, sy, sc, 2 * nb + ib, order));
                f3 = f3.add(term(a3, dy, sy, sc, 3 * nb + ib, order));
            }
            store(f0, lanes, out, outOff, stride, g, in.rows, 0, rows);
            store(f1, lanes, out, outOff, stride, g, in.rows, 1, rows);
            store(f2, lanes, out, outOff, stride, g, in.rows, 2, rows);
            store(f3, lanes, out, outOff, stride, g, in.rows, 3, rows);
        }
    }

    /**
     * {@link #batch32} for two token groups at once: four row broadcasts and two activation loads feed eight
     * multiply-adds, where one group needs five loads for four.
     */
    private static void pair32(
            RowScratch sc, InputRows in, float[] out, int outOff, int stride, int rows, Order order, int g) {
        int n = in.n;
        int nb = n / 32;
        int tp = in.tpad;
        int h = g + InputRows.GROUP;
        float[] y = in.qT;
        float[] q = sc.q;
        FloatVector f0 = FloatVector.zero(FB);
        FloatVector f1 = f0;
        FloatVector f2 = f0;
        FloatVector f3 = f0;
        FloatVector e0 = f0;
        FloatVector e1 = f0;
        FloatVector e2 = f0;
        FloatVector e3 = f0;
        for (int ib = 0; ib < nb; ib++) {
            FloatVector a0 = FloatVector.zero(FB);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector b0 = a0;
            FloatVector b1 = a0;
            FloatVector b2 = a0;
            FloatVector b3 = a0;
            int base = ib * 32 * tp + g;
            int wo = ib * 32;
            for (int k = 0; k < 32; k++) {
                FloatVector yv = FloatVector.fromArray(FB, y, base + k * tp);
                FloatVector yw = FloatVector.fromArray(FB, y, base + k * tp + InputRows.GROUP);
                FloatVector w0 = FloatVector.broadcast(FB, q[wo + k]);
                FloatVector w1 = FloatVector.broadcast(FB, q[n + wo + k]);
                FloatVector w2 = FloatVector.broadcast(FB, q[2 * n + wo + k]);
                FloatVector w3 = FloatVector.broadcast(FB, q[3 * n + wo + k]);
                a0 = yv.fma(w0, a0);
                a1 = yv.fma(w1, a1);
                a2 = yv.fma(w2, a2);
                a3 = yv.fma(w3, a3);
                b0 = yw.fma(w0, b0);
                b1 = yw.fma(w1, b1);
                b2 = yw.fma(w2, b2);
                b3 = yw.fma(w3, b3);
            }
            FloatVector dy = FloatVector.fromArray(FB, in.dT, ib * tp + g);
            FloatVector dz = FloatVector.fromArray(FB, in.dT, ib * tp + h);
            FloatVector sy = order == Order.WITH_MIN ? FloatVector.fromArray(FB, in.sT, ib * tp + g) : dy;
            FloatVector sz = order == Order.WITH_MIN ? FloatVector.fromArray(FB, in.sT, ib * tp + h) : dz;
            f0 = f0.add(term(a0, dy, sy, sc, ib, order));
            f1 = f1.add(term(a1, dy, sy, sc, nb + ib, order));
            f2 = f2.add(term(a2, dy, sy, sc, 2 * nb + ib, order));
            f3 = f3.add(term(a3, dy, sy, sc, 3 * nb + ib, order));
            e0 = e0.add(term(b0, dz, sz, sc, ib, order));
            e1 = e1.add(term(b1, dz, sz, sc, nb + ib, order));
            e2 = e2.add(term(b2, dz, sz, sc, 2 * nb + ib, order));
            e3 = e3.add(term(b3, dz, sz, sc, 3 * nb + ib, order));
        }
        float[] lanes = sc.lanes;
        store(f0, lanes, out, outOff, stride, g, in.rows, 0, rows);
        store(f1, lanes, out, outOff, stride, g, in.rows, 1, rows);
        store(f2, lanes, out, outOff, stride, g, in.rows, 2, rows);
        store(f3, lanes, out, outOff, stride, g, in.rows, 3, rows);
        store(e0, lanes, out, outOff, stride, h, in.rows, 0, rows);
        store(e1, lanes, out, outOff, stride, h, in.rows, 1, rows);
        store(e2, lanes, out, outOff, stride, h, in.rows, 2, rows);
        store(e3, lanes, out, outOff, stride, h, in.rows, 3, rows);
    }

    private static FloatVector term(FloatVector s, FloatVector dy, FloatVector sy, RowScratch sc, int bi, Order order) {
        float dx = sc.d[bi];
        return switch (order) {
            case SCALE_FIRST -> s.mul(dy.mul(dx));
            case SCALE_AFTER -> s.mul(dx).mul(dy);
            case WITH_MIN -> s.mul(dy.mul(dx)).add(sy.mul(sc.m[bi]));
        };
    }

    private static void store(
            FloatVector v, float[] lanes, float[] out, int outOff, int stride, int g, int tokens, int row, int rows) {
        if (row >= rows) {
            return;
        }
        v.intoArray(lanes, 0);
        for (int l = 0; l < lanes.length && g + l < tokens; l++) {
            out[outOff + row + (g + l) * stride] = lanes[l];
        }
    }

    /** Q6_K: values in [-32, 31] from 4+2 bits; one int8 scale per 16. */
    static float q6_K(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q6_K.dotReference(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qs16;
        byte[] a = new byte[256];
        int[] sc = new int[16];
        FloatVector sums = FloatVector.zero(F256);
        for (int i = 0; i < nb; i++) {
            long bo = off + 210L * i;
            decodeQ6(w, bo, a);
            for (int j = 0; j < 16; j++) {
                sc[j] = Mem.s8(w, bo + 192 + j);
            }
            IntVector acc = dot16s(a, y, (yb + i) * 256, sc);
            float d = Mem.f16(w, bo + 208) * in.d[yb + i];
            sums = sums.add(
                    acc.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(d));
        }
        return finish(0f, sums);
    }

    /** The 256 values of a Q6_K block (minus 32) into {@code a}. */
    static void decodeQ6(MemorySegment w, long bo, byte[] a) {
        for (int j = 0; j < 2; j++) {
            long ql = bo + 64L * j;
            long qh = bo + 128 + 32L * j;
            int o = 128 * j;
            ByteVector lo = ByteVector.fromMemorySegment(B256, w, ql, LE);
            ByteVector hi = ByteVector.fromMemorySegment(B256, w, ql + 32, LE);
            ByteVector h = ByteVector.fromMemorySegment(B256, w, qh, LE);
            lo.and((byte) 0xF)
                    .or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o);
            hi.and((byte) 0xF)
                    .or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o + 32);
            lo.lanewise(VectorOperators.LSHR, 4)
                    .or(h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o + 64);
            hi.lanewise(VectorOperators.LSHR, 4)
                    .or(h.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o + 96);
        }
    }

    /** Σ over 16 groups of 16: scale[g] · a·y, as eight int lanes (lane = index mod 8), exact. */
    private static IntVector dot16s(byte[] a, short[] y, int yo, int[] scale) {
        IntVector acc = IntVector.zero(I256);
        for (int g = 0; g < 16; g++) {
            ShortVector p =
                    widen(ByteVector.fromArray(B128, a, 16 * g)).mul(ShortVector.fromArray(S256, y, yo + 16 * g));
            // pairs(p), written out: C2 did not intrinsify the add when it came through the helper here
            IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, I256, 0);
            IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, I256, 1);
            acc = acc.add(lo.add(hi).mul(scale[g]));
        }
        return acc;
    }

    /**
     * {@link #dot16s} for eight groups of 32 sharing a scale (Q4_K): both 16-halves' products are added as shorts
     * before widening (|a·y| ≤ 15·128, so the sum fits), half the widenings and multiplies; each int lane gets the
     * same integers as {@code dot16s} with the scale repeated, so the same result.
     */
    private static IntVector dot32s(byte[] a, short[] y, int yo, int[] scale) {
        IntVector acc = IntVector.zero(I256);
        for (int g = 0; g < 8; g++) {
            ShortVector p = widen(ByteVector.fromArray(B128, a, 32 * g))
                    .mul(ShortVector.fromArray(S256, y, yo + 32 * g))
                    .add(widen(ByteVector.fromArray(B128, a, 32 * g + 16))
                            .mul(ShortVector.fromArray(S256, y, yo + 32 * g + 16)));
            IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, I256, 0);
            IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, I256, 1);
            acc = acc.add(lo.add(hi).mul(scale[2 * g]));
        }
        return acc;
    }

    /** Adds the eight float lanes to sumf in lane order, as ggml's generic tail does. */
    private static float finish(float sumf, FloatVector sums) {
        for (int l = 0; l < 8; l++) {
            sumf += sums.lane(l);
        }
        return sumf;
    }

    static float q4_K(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q4_K.dotReference(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qs16;
        byte[] a = new byte[256];
        byte[] packed = new byte[12];
        int[] sc = new int[16];
        FloatVector sums = FloatVector.zero(F256);
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + 144L * i;
            Mem.scales12(w, bo + 4, packed);
            int sumi = 0;
            int bs = (yb + i) * 16;
            for (int j = 0; j < 8; j++) {
                sumi += (in.bsums[bs + 2 * j] + in.bsums[bs + 2 * j + 1]) * KScales.min4(packed, 0, j);
                sc[2 * j] = sc[2 * j + 1] = KScales.scale4(packed, 0, j);
            }
            for (int j = 0; j < 4; j++) {
                ByteVector q = ByteVector.fromMemorySegment(B256, w, bo + 16 + 32L * j, LE);
                q.and((byte) 0xF).intoArray(a, 64 * j);
                q.lanewise(VectorOperators.LSHR, 4).intoArray(a, 64 * j + 32);
            }
            IntVector acc = dot32s(a, y, (yb + i) * 256, sc);
            float d = Mem.f16(w, bo) * in.d[yb + i];
            sums = sums.add(
                    acc.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(d));
            float dmin = Mem.f16(w, bo + 2) * in.d[yb + i];
            sumf -= dmin * sumi;
        }
        return finish(sumf, sums);
    }

    static float q2_K(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q2_K.dotReference(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qs16;
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + 84L * i;
            int q8 = (yb + i) * 256;
            int summs = 0;
            int bs = (yb + i) * 16;
            for (int j = 0; j < 16; j++) {
                summs += in.bsums[bs + j] * (Mem.u8(w, bo + j) >>> 4);
            }
            float dall = in.d[yb + i] * Mem.f16(w, bo + 80);
            float dmin = in.d[yb + i] * Mem.f16(w, bo + 82);
            IntVector acc = IntVector.zero(I256);
            int is = 0;
            for (int k = 0; k < 2; k++) {
                ByteVector q0 = ByteVector.fromMemorySegment(B128, w, bo + 16 + 32L * k, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B128, w, bo + 32 + 32L * k, LE);
                for (int shift = 0; shift < 8; shift += 2) {
                    int base = q8 + 128 * k + 16 * shift;
                    ShortVector p0 = widen(
                                    q0.lanewise(VectorOperators.LSHR, shift).and((byte) 3))
                            .mul(ShortVector.fromArray(S256, y, base));
                    ShortVector p1 = widen(
                                    q1.lanewise(VectorOperators.LSHR, shift).and((byte) 3))
                            .mul(ShortVector.fromArray(S256, y, base + 16));
                    acc = acc.add(pairs(p0).mul(Mem.u8(w, bo + is) & 0xF))
                            .add(pairs(p1).mul(Mem.u8(w, bo + is + 1) & 0xF));
                    is += 2;
                }
            }
            int isum = acc.reduceLanes(VectorOperators.ADD);
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }

    /**
     * F32 · F32: float products summed in double in eight classes (index mod 8), combined as
     * {@code ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7))}, then any tail in order. The batch path ({@link FloatBatch}) keeps
     * exactly this order per token.
     */
    static float f32(MemorySegment w, long off, float[] y, int yo, int n) {
        if (!ENABLED) {
            return FloatBatch.scalar(i -> Mem.f32(w, off + 4L * i), y, yo, n);
        }
        DoubleVector lo = DoubleVector.zero(D256);
        DoubleVector hi = DoubleVector.zero(D256);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            FloatVector p = FloatVector.fromMemorySegment(F256, w, off + 4L * i, LE)
                    .mul(FloatVector.fromArray(F256, y, yo + i));
            lo = lo.add(p.convertShape(VectorOperators.F2D, D256, 0));
            hi = hi.add(p.convertShape(VectorOperators.F2D, D256, 1));
        }
        double sum = combine(lo, hi);
        for (; i < n; i++) {
            sum += (double) (Mem.f32(w, off + 4L * i) * y[yo + i]);
        }
        return (float) sum;
    }

    /** {@code ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7))} with {@code s0..s3} the lanes of {@code lo}, {@code s4..s7} of hi. */
    private static double combine(DoubleVector lo, DoubleVector hi) {
        return ((lo.lane(0) + lo.lane(1)) + (lo.lane(2) + lo.lane(3)))
                + ((hi.lane(0) + hi.lane(1)) + (hi.lane(2) + hi.lane(3)));
    }

    /** Eight fp16 values to floats, exact for every finite value (subnormals included). */
    static FloatVector halfToFloat(ShortVector h) {
        IntVector bits = (IntVector) h.convertShape(VectorOperators.S2I, I256, 0);
        IntVector mag = bits.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        FloatVector f = mag.reinterpretAsFloats().mul(0x1p112f);
        return f.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** F16 · F16-rounded activations, in {@link #f32}'s order. */
    static float f16(MemorySegment w, long off, float[] y, int yo, int n) {
        if (!ENABLED) {
            return FloatBatch.scalar(i -> Mem.f16(w, off + 2L * i), y, yo, n);
        }
        DoubleVector lo = DoubleVector.zero(D256);
        DoubleVector hi = DoubleVector.zero(D256);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            FloatVector a = halfToFloat(ShortVector.fromMemorySegment(S128, w, off + 2L * i, LE));
            FloatVector p = a.mul(FloatVector.fromArray(F256, y, yo + i));
            lo = lo.add(p.convertShape(VectorOperators.F2D, D256, 0));
            hi = hi.add(p.convertShape(VectorOperators.F2D, D256, 1));
        }
        double sum = combine(lo, hi);
        for (; i < n; i++) {
            sum += (double) (Mem.f16(w, off + 2L * i) * y[yo + i]);
        }
        return (float) sum;
    }
}
