package io.quantscope.quant.dot;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A batch of tokens · a matrix in {@link RowGroups}' layout, as a matrix product in float lanes with rows in lanes:
 * per group of 32 rows and block of {@link #KB} weights, the type's decoder writes the weights as {@link LaneBatch}
 * decodes them (weight {@code j} of row {@code r} at {@code j·32 + r}), then tiles of {@link #TOKENS} tokens
 * multiply-add them in order, each tile's block sums added to the running sums in order. The same products in the same
 * order as {@link LaneBatch}, whose tokens are in lanes instead: the same bits.
 */
final class GroupBatch {
    /** Weights per block of a batch's sums, as {@link LaneBatch} takes them. */
    static final int KB = 256;

    /** Tokens per tile: two vectors of rows each, twelve accumulators, as {@link LaneBatch}'s six rows. */
    private static final int TOKENS = 6;

    private static final int ROWS = RowGroups.ROWS;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;

    /** Writes weights {@code k0 .. k1)} of the group at {@code go} ({@code cols} wide) into {@code a}. */
    interface Decoder {
        void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a);
    }

    private static final class Scratch {
        final float[] weights = new float[KB * ROWS];
        float[] acc = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private GroupBatch() {}

    /**
     * Groups {@code g0 .. g1)} ({@code groupBytes} each) · the batch in {@link InputRows#valuesT}: row {@code r}, token
     * {@code t} into {@code out[r + t·stride]}.
     */
    static void run(
            Decoder decoder,
            MemorySegment w,
            int g0,
            int g1,
            int cols,
            long groupBytes,
            InputRows in,
            float[] out,
            int stride) {
        int tokens = in.rows;
        int tp = in.lanePad;
        float[] x = in.valuesT;
        Scratch sc = SCRATCH.get();
        float[] a = sc.weights;
        int tiles = (tokens + TOKENS - 1) / TOKENS;
        if (sc.acc.length < tiles * TOKENS * ROWS) {
            sc.acc = new float[tiles * TOKENS * ROWS];
        }
        float[] acc = sc.acc;
        for (int g = g0; g < g1; g++) {
            long go = g * groupBytes;
            java.util.Arrays.fill(acc, 0, tiles * TOKENS * ROWS, 0f);
            for (int k0 = 0; k0 < cols; k0 += KB) {
                int k1 = Math.min(cols, k0 + KB);
                decoder.decode(w, go, cols, k0, k1, a);
                for (int t0 = 0; t0 < tokens; t0 += TOKENS) {
                    tile(a, k1 - k0, x, tp, k0, t0, tokens, acc);
                }
            }
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(acc, t * ROWS, out, t * stride + ROWS * g, ROWS);
            }
        }
    }

    /**
     * {@code kn} weights of 32 rows ({@code a}) · tokens {@code t0 .. t0+6)} of {@code x} from weight {@code k0}, added to
     * {@code acc} (token {@code t}'s 32 rows at {@code t·32}). A partial tile repeats its last token and drops the
     * repeats.
     */
    private static void tile(float[] a, int kn, float[] x, int tp, int k0, int t0, int tokens, float[] acc) {
        int last = tokens - 1;
        int x0 = k0 * tp + t0;
        int x1 = k0 * tp + Math.min(t0 + 1, last);
        int x2 = k0 * tp + Math.min(t0 + 2, last);
        int x3 = k0 * tp + Math.min(t0 + 3, last);
        int x4 = k0 * tp + Math.min(t0 + 4, last);
        int x5 = k0 * tp + Math.min(t0 + 5, last);
        FloatVector z = FloatVector.zero(F512);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kn; k++) {
            FloatVector w0 = FloatVector.fromArray(F512, a, k * ROWS);
            FloatVector w1 = FloatVector.fromArray(F512, a, k * ROWS + 16);
            int xo = k * tp;
            FloatVector b = FloatVector.broadcast(F512, x[x0 + xo]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F512, x[x1 + xo]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F512, x[x2 + xo]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F512, x[x3 + xo]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(F512, x[x4 + xo]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F512, x[x5 + xo]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
        }
        int n = Math.min(TOKENS, tokens - t0);
        add(acc, t0, c00, c01);
        if (n > 1) {
            add(acc, t0 + 1, c10, c11);
        }
        if (n > 2) {
            add(acc, t0 + 2, c20, c21);
        }
        if (n > 3) {
            add(acc, t0 + 3, c30, c31);
        }
        if (n > 4) {
            add(acc, t0 + 4, c40, c41);
        }
        if (n > 5) {
            add(acc, t0 + 5, c50, c51);
        }
    }

    private static void add(float[] acc, int token, FloatVector lo, FloatVector hi) {
        int o = token * ROWS;
        FloatVector.fromArray(F512, acc, o).add(lo).intoArray(acc, o);
        FloatVector.fromArray(F512, acc, o + 16).add(hi).intoArray(acc, o + 16);
    }
}
