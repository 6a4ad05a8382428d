package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API batch paths (prompt processing): weight rows decoded once, tokens in vector lanes. They compute the same
 * integers as the scalar references (integer sums are exact in any order) and keep ggml's generic float order per
 * token, so each token gets the scalar reference's bits. One-token kernels are in {@link LaneDots}. Vectors narrower
 * than 256 bits turn both off, and the scalar references run instead.
 */
final class VectorDots {
    static final boolean ENABLED =
            IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256 && !Boolean.getBoolean("quantscope.scalarKernels");

    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorDots() {}

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

    /** The 256 values of a Q6_K block (minus 32) into {@code a}. */
    static void decodeQ6(MemorySegment w, long bo, byte[] a) {
        decodeQ6(w, bo, a, 0, 32);
    }

    /**
     * A Q6_K block's 256 values minus {@code offset} into {@code a} from {@code ao}. The bit fields are cut in int
     * lanes with byte masks: x86 has no byte shift, and a shift of byte lanes compiles to a widening to 16 bits, the
     * shift and a pack back (four instructions where this takes one).
     */
    static void decodeQ6(MemorySegment w, long bo, byte[] a, int ao, int offset) {
        byte off = (byte) offset;
        for (int j = 0; j < 2; j++) {
            long ql = bo + 64L * j;
            long qh = bo + 128 + 32L * j;
            int o = ao + 128 * j;
            IntVector lo = ByteVector.fromMemorySegment(B256, w, ql, LE).reinterpretAsInts();
            IntVector hi = ByteVector.fromMemorySegment(B256, w, ql + 32, LE).reinterpretAsInts();
            IntVector h = ByteVector.fromMemorySegment(B256, w, qh, LE).reinterpretAsInts();
            lo.and(LOW_NIBBLES)
                    .or(h.lanewise(VectorOperators.LSHL, 4).and(BITS_4_5))
                    .reinterpretAsBytes()
                    .sub(off)
                    .intoArray(a, o);
            hi.and(LOW_NIBBLES)
                    .or(h.lanewise(VectorOperators.LSHL, 2).and(BITS_4_5))
                    .reinterpretAsBytes()
                    .sub(off)
                    .intoArray(a, o + 32);
            lo.lanewise(VectorOperators.LSHR, 4)
                    .and(LOW_NIBBLES)
                    .or(h.and(BITS_4_5))
                    .reinterpretAsBytes()
                    .sub(off)
                    .intoArray(a, o + 64);
            hi.lanewise(VectorOperators.LSHR, 4)
                    .and(LOW_NIBBLES)
                    .or(h.lanewise(VectorOperators.LSHR, 2).and(BITS_4_5))
                    .reinterpretAsBytes()
                    .sub(off)
                    .intoArray(a, o + 96);
        }
    }

    /** Byte masks for bit fields cut in int lanes: each byte's low nibble; each byte's bits 4 and 5; low two bits. */
    static final int LOW_NIBBLES = 0x0F0F0F0F;

    static final int BITS_4_5 = 0x30303030;
    static final int LOW_TWO_BITS = 0x03030303;
}
