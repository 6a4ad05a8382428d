package io.quantscope.infer;

import io.quantscope.convert.ComputePool;
import io.quantscope.quant.dot.InputFormat;
import io.quantscope.quant.dot.InputRows;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Matrix × activations for a batch of tokens, rows spread over the compute pool. Several matrices that read the same
 * activations (Q, K, V; gate and up) run in one parallel region. Each weight row is multiplied with every token of the
 * batch while it is in cache, so prompt processing reads each weight once per batch.
 */
final class Matmul {
    /** Rows per task for one token; a batch takes more, a multiple of the lane product's six-row tile. */
    private static final int CHUNK = 16;

    private static final int BATCH_CHUNK = 24;

    private final int threads;
    private final Map<InputFormat, InputRows> inputs = new EnumMap<>(InputFormat.class);

    Matmul(int threads) {
        this.threads = threads;
    }

    /** {@code outs[i][t·rows_i + r] = ms[i].row(r) · x[t]} for the {@code tokens} rows of {@code x}. */
    void run(float[] x, int tokens, int n, Matrix[] ms, float[][] outs) {
        InputRows[] in = new InputRows[ms.length];
        for (InputFormat f : InputFormat.values()) {
            boolean loaded = false;
            for (int i = 0; i < ms.length; i++) {
                if (ms[i].kernel().input() == f) {
                    InputRows rows = inputs.computeIfAbsent(f, InputRows::new);
                    if (!loaded) {
                        rows.load(x, tokens, n);
                        loaded = true;
                    }
                    in[i] = rows;
                    ms[i].prepare(rows); // before the rows are shared between threads
                }
            }
        }
        if (tokens == 1 && threads > 1) {
            runSplit(ms, in, outs);
            return;
        }
        int[] chunk = new int[ms.length];
        int[] starts = new int[ms.length + 1];
        for (int i = 0; i < ms.length; i++) {
            int align = ms[i].rowAlign();
            chunk[i] = ((tokens > 1 ? BATCH_CHUNK : CHUNK) + align - 1) / align * align;
            starts[i + 1] = starts[i] + (ms[i].rows() + chunk[i] - 1) / chunk[i];
        }
        int chunks = starts[ms.length];
        AtomicInteger next = new AtomicInteger();
        ComputePool.parallel(Math.min(threads, chunks), part -> {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                int i = 0;
                while (starts[i + 1] <= c) {
                    i++;
                }
                Matrix m = ms[i];
                int rows = m.rows();
                int r0 = (c - starts[i]) * chunk[i];
                int r1 = Math.min(rows, r0 + chunk[i]);
                float[] out = outs[i];
                InputRows inp = in[i];
                m.dotRows(r0, r1, inp, out);
            }
        });
    }

    /** Pieces each thread's share of a matrix is cut into, so a thread that finishes early can take some of another's. */
    private static final int PIECES = 8;

    /**
     * One token: each thread owns one contiguous share of every matrix's rows and works through it in order, so its
     * reads are one long stream per matrix, which the hardware prefetchers follow (sixteen-row tasks handed out in turn
     * gave 12.7 tok/s on the 1.1B Q8_0, this 16-20). Each share is cut into {@link #PIECES} pieces behind a counter; a
     * thread done with its own shares takes the pieces the owners have not reached yet, so one slow core does not hold
     * up the token.
     */
    private void runSplit(Matrix[] ms, InputRows[] in, float[][] outs) {
        int perPart = ms.length * PIECES;
        AtomicInteger[] cursors = new AtomicInteger[threads];
        for (int p = 0; p < threads; p++) {
            cursors[p] = new AtomicInteger();
        }
        ComputePool.parallel(threads, part -> {
            for (int k = 0; k < threads; k++) {
                int owner = (part + k) % threads;
                AtomicInteger cursor = cursors[owner];
                int t;
                while ((t = cursor.getAndIncrement()) < perPart) {
                    Matrix m = ms[t / PIECES];
                    // shares and pieces in units of the matrix's row alignment; the last unit may be short
                    int align = m.rowAlign();
                    int units = (m.rows() + align - 1) / align;
                    long share0 = (long) units * owner / threads;
                    long share1 = (long) units * (owner + 1) / threads;
                    int piece = t % PIECES;
                    int r0 = (int) Math.min(m.rows(), align * (share0 + (share1 - share0) * piece / PIECES));
                    int r1 = (int) Math.min(m.rows(), align * (share0 + (share1 - share0) * (piece + 1) / PIECES));
                    if (r1 > r0) {
                        m.dotRows(r0, r1, in[t / PIECES], outs[t / PIECES]);
                    }
                }
            }
        });
    }
}
