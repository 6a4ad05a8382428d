package io.quantscope.quant.dot;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batch path of the K-quants whose generic dot product sums per-lane integers (Q3_K, Q4_K, Q5_K, Q6_K): a weight
 * row is decoded once into {@code scale·value} per weight, then multiplied with {@link InputRows#GROUP} tokens per
 * instruction from transposed Q8_K activations. Each of the eight lanes of ggml's {@code aux32} (weight index mod 8)
 * keeps its own accumulator; all its terms are integers below 2^24, so float multiply-adds hold them exactly. The float
 * tail ({@code sums[l] += d·aux32[l]}, the min terms, the final lane order) is ggml's, per token, so every result has
 * the bits of the one-token path.
 */
final class KBatch {
    private static final VectorSpecies<Float> FB = FloatVector.SPECIES_PREFERRED;

    /** Decodes one super-block of a row. */
    interface Decoder {
        /**
         * Writes {@code scale·value} of the block's 256 weights to {@code wq[wo ..]}; for types with mins, the min of
         * each 16-weight group to {@code mins[mo ..]} (16 values) and the block's dmin to {@code dmin[i]}.
         *
         * @return the block's d
         */
        float decode(MemorySegment w, long bo, float[] wq, int wo, float[] mins, int mo, float[] dmin, int i);
    }

    private static final class Scratch {
        float[] wq = new float[0];
        float[] dx = new float[0];
        float[] dmin = new float[0];
        float[] mins = new float[0];
        final float[] lanes = new float[FB.length()];
        final float[] acc = new float[ROWS * 2 * SLOTS * FB.length()];

        Scratch ensure(int n) {
            if (wq.length < n) {
                wq = new float[n];
                dx = new float[n / 256];
                dmin = new float[n / 256];
                mins = new float[n / 16];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** What the float tail of a type's generic dot product does with its integer sums. */
    enum Mode {
        /** Eight lane sums scaled by {@code d} (Q3_K, Q6_K). */
        LANES,
        /** Eight lane sums and {@code − dmin·Σ bsums·min} (Q4_K, Q5_K). */
        MINS,
        /** One block sum: {@code dall·isum − dmin·summs} (Q2_K). */
        Q2_K
    }

    private static final ThreadLocal<byte[]> VALUES = ThreadLocal.withInitial(() -> new byte[256]);

    /** A per-thread buffer for one block's 256 decoded values. */
    static byte[] values256() {
        return VALUES.get();
    }

    private static final ThreadLocal<byte[]> PACKED = ThreadLocal.withInitial(() -> new byte[12]);
    private static final ThreadLocal<int[]> SCALES = ThreadLocal.withInitial(() -> new int[16]);

    /** A per-thread buffer for a block's 12 packed scale bytes (decoders run once per block: no allocation there). */
    static byte[] packed12() {
        return PACKED.get();
    }

    /** A per-thread buffer for a block's 16 scales. */
    static int[] scales16() {
        return SCALES.get();
    }

    private KBatch() {}

    /** Weight rows decoded and multiplied together. */
    private static final int ROWS = 4;

    /** Accumulators per (row, token group): eight lane sums, the min terms ({@code sumf}), and Q2_K's block sum. */
    private static final int SLOTS = 10;

    /** Returns false when the batch path does not apply (no transposed input, or vectors off). */
    static boolean run(
            Decoder dec,
            int blockBytes,
            Mode mode,
            MemorySegment w,
            long off,
            long rowBytes,
            int nRows,
            InputRows in,
            float[] out,
            int outOff,
            int stride) {
        if (!VectorDots.ENABLED || in.tpad == 0 || in.format != InputFormat.Q8_K) {
            return false;
        }
        int n = in.n;
        int nb = n / 256;
        Scratch sc = SCRATCH.get().ensure(ROWS * n);
        for (int r0 = 0; r0 < nRows; r0 += ROWS) {
            for (int j = 0; j < ROWS; j++) {
                if (r0 + j < nRows) {
                    long ro = off + (r0 + j) * rowBytes;
                    for (int i = 0; i < nb; i++) {
                        sc.dx[j * nb + i] = dec.decode(
                                w,
                                ro + (long) blockBytes * i,
                                sc.wq,
                                j * n + i * 256,
                                sc.mins,
                                j * (n / 16) + i * 16,
                                sc.dmin,
                                j * nb + i);
                    }
                } else {
                    java.util.Arrays.fill(sc.wq, j * n, (j + 1) * n, 0f);
                    java.util.Arrays.fill(sc.dx, j * nb, (j + 1) * nb, 0f);
                    java.util.Arrays.fill(sc.dmin, j * nb, (j + 1) * nb, 0f);
                    java.util.Arrays.fill(sc.mins, j * (n / 16), (j + 1) * (n / 16), 0f);
                }
            }
            int rows = Math.min(ROWS, nRows - r0);
            for (int g = 0; g < in.rows; g += 2 * InputRows.GROUP) {
                block(sc, in, n, nb, g, mode);
                for (int j = 0; j < rows; j++) {
                    for (int h = 0; h < 2; h++) {
                        int g0 = g + h * InputRows.GROUP;
                        int base = (j * 2 + h) * SLOTS * InputRows.GROUP;
                        FloatVector v = FloatVector.fromArray(FB, sc.acc, base + 8 * InputRows.GROUP);
                        if (mode != Mode.Q2_K) {
                            for (int l = 0; l < 8; l++) {
                                v = v.add(FloatVector.fromArray(FB, sc.acc, base + l * InputRows.GROUP));
                            }
                        }
                        v.intoArray(sc.lanes, 0);
                        for (int t = 0; t < InputRows.GROUP && g0 + t < in.rows; t++) {
                            out[outOff + r0 + j + (g0 + t) * stride] = sc.lanes[t];
                        }
                    }
                }
            }
        }
        return true;
    }

    /**
     * Four rows × two token groups, lane by lane: for each of ggml's eight lanes the 32 weights of that lane in a
     * super-block feed eight accumulators (two activation loads and four broadcasts per eight multiply-adds), then
     * {@code sums[l] += d·aux32[l]} per row and token. Results go to {@code sc.acc}: per (row, group) the eight lane
     * sums and, last, the min terms ({@code sumf}).
     */
    private static void block(Scratch sc, InputRows in, int n, int nb, int g, Mode mode) {
        int tp = in.tpad;
        int G = InputRows.GROUP;
        float[] y = in.qT;
        float[] wq = sc.wq;
        float[] acc = sc.acc;
        java.util.Arrays.fill(acc, 0, ROWS * 2 * SLOTS * G, 0f);
        boolean second = g + G < in.rows;
        FloatVector zero = FloatVector.zero(FB);
        for (int i = 0; i < nb; i++) {
            FloatVector dyA = FloatVector.fromArray(FB, in.dT, i * tp + g);
            FloatVector dyB = second ? FloatVector.fromArray(FB, in.dT, i * tp + g + G) : zero;
            for (int l = 0; l < 8; l++) {
                FloatVector a0 = zero;
                FloatVector a1 = zero;
                FloatVector a2 = zero;
                FloatVector a3 = zero;
                FloatVector b0 = zero;
                FloatVector b1 = zero;
                FloatVector b2 = zero;
                FloatVector b3 = zero;
                for (int e = i * 256 + l; e < i * 256 + 256; e += 8) {
                    int yo = e * tp + g;
                    FloatVector ya = FloatVector.fromArray(FB, y, yo);
                    FloatVector yb = FloatVector.fromArray(FB, y, yo + G);
                    FloatVector w0 = FloatVector.broadcast(FB, wq[e]);
                    FloatVector w1 = FloatVector.broadcast(FB, wq[n + e]);
                    FloatVector w2 = FloatVector.broadcast(FB, wq[2 * n + e]);
                    FloatVector w3 = FloatVector.broadcast(FB, wq[3 * n + e]);
                    a0 = ya.fma(w0, a0);
                    a1 = ya.fma(w1, a1);
                    a2 = ya.fma(w2, a2);
                    a3 = ya.fma(w3, a3);
                    b0 = yb.fma(w0, b0);
                    b1 = yb.fma(w1, b1);
                    b2 = yb.fma(w2, b2);
                    b3 = yb.fma(w3, b3);
                }
                if (mode == Mode.Q2_K) {
                    // Q2_K sums the whole block as one integer: the lanes just add up (exactly)
                    isum(acc, 0, 0, a0);
                    isum(acc, 1, 0, a1);
                    isum(acc, 2, 0, a2);
                    isum(acc, 3, 0, a3);
                    isum(acc, 0, 1, b0);
                    isum(acc, 1, 1, b1);
                    isum(acc, 2, 1, b2);
                    isum(acc, 3, 1, b3);
                    continue;
                }
                lane(acc, 0, 0, l, dyA.mul(sc.dx[i]), a0);
                lane(acc, 1, 0, l, dyA.mul(sc.dx[nb + i]), a1);
                lane(acc, 2, 0, l, dyA.mul(sc.dx[2 * nb + i]), a2);
                lane(acc, 3, 0, l, dyA.mul(sc.dx[3 * nb + i]), a3);
                lane(acc, 0, 1, l, dyB.mul(sc.dx[i]), b0);
                lane(acc, 1, 1, l, dyB.mul(sc.dx[nb + i]), b1);
                lane(acc, 2, 1, l, dyB.mul(sc.dx[2 * nb + i]), b2);
                lane(acc, 3, 1, l, dyB.mul(sc.dx[3 * nb + i]), b3);
            }
            if (mode == Mode.Q2_K) {
                for (int j = 0; j < ROWS; j++) {
                    q2k(sc, in, j, 0, i, g, dyA, n, nb);
                    q2k(sc, in, j, 1, i, g + G, dyB, n, nb);
                }
            } else if (mode == Mode.MINS) {
                for (int j = 0; j < ROWS; j++) {
                    mins(sc, in, j, 0, i, g, dyA, n, nb);
                    mins(sc, in, j, 1, i, g + G, dyB, n, nb);
                }
            }
        }
    }

    /** Adds a lane's exact integer sum to Q2_K's block sum for one row and token group. */
    private static void isum(float[] acc, int row, int half, FloatVector aux) {
        int o = ((row * 2 + half) * SLOTS + 9) * InputRows.GROUP;
        FloatVector.fromArray(FB, acc, o).add(aux).intoArray(acc, o);
    }

    /** Q2_K's block tail: {@code sumf += dall·isum − dmin·summs}, then the block sum starts again. */
    private static void q2k(Scratch sc, InputRows in, int row, int half, int i, int g, FloatVector dy, int n, int nb) {
        if (g >= in.tpad) {
            return;
        }
        int tp = in.tpad;
        FloatVector summs = FloatVector.zero(FB);
        int mo = row * (n / 16) + i * 16;
        for (int j = 0; j < 16; j++) {
            summs = FloatVector.fromArray(FB, in.bT, (i * 16 + j) * tp + g)
                    .fma(FloatVector.broadcast(FB, sc.mins[mo + j]), summs);
        }
        int so = ((row * 2 + half) * SLOTS + 8) * InputRows.GROUP;
        int io = ((row * 2 + half) * SLOTS + 9) * InputRows.GROUP;
        FloatVector isum = FloatVector.fromArray(FB, sc.acc, io);
        FloatVector dall = dy.mul(sc.dx[row * nb + i]);
        FloatVector dmin = dy.mul(sc.dmin[row * nb + i]);
        FloatVector.fromArray(FB, sc.acc, so)
                .add(dall.mul(isum).sub(dmin.mul(summs)))
                .intoArray(sc.acc, so);
        FloatVector.zero(FB).intoArray(sc.acc, io);
    }

    /** {@code sums[l] += d·aux32[l]} for one row and token group. */
    private static void lane(float[] acc, int row, int half, int l, FloatVector d, FloatVector aux) {
        int o = ((row * 2 + half) * SLOTS + l) * InputRows.GROUP;
        FloatVector.fromArray(FB, acc, o).add(d.mul(aux)).intoArray(acc, o);
    }

    /** {@code sumf -= (dmin·dy)·Σ bsums·min} for one row, token group and super-block. */
    private static void mins(Scratch sc, InputRows in, int row, int half, int i, int g, FloatVector dy, int n, int nb) {
        if (g >= in.tpad) {
            return;
        }
        int tp = in.tpad;
        FloatVector sumi = FloatVector.zero(FB);
        int mo = row * (n / 16) + i * 16;
        for (int j = 0; j < 16; j++) {
            sumi = FloatVector.fromArray(FB, in.bT, (i * 16 + j) * tp + g)
                    .fma(FloatVector.broadcast(FB, sc.mins[mo + j]), sumi);
        }
        int o = ((row * 2 + half) * SLOTS + 8) * InputRows.GROUP;
        FloatVector.fromArray(FB, sc.acc, o)
                .sub(dy.mul(sc.dmin[row * nb + i]).mul(sumi))
                .intoArray(sc.acc, o);
    }
}
