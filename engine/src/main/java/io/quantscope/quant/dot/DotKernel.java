package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * The dot product of one stored weight row with one activation row, as ggml's CPU backend computes it: activations
 * are first converted to {@link #input()}, then the integer (or half-precision) products are summed block by block
 * and scaled in ggml's order. Every kernel has a plain scalar reference ({@link #dotReference}) written after ggml's
 * generic C code, and a fast path ({@link #dot}): for the main types it accumulates in float lanes as ggml's SIMD code
 * does ({@link LaneDots}), which tests hold to within float rounding of the reference; for the others, the same bits.
 */
public interface DotKernel {
    GgmlType type();

    InputFormat input();

    /**
     * Builds what this kernel's one-token path reads beyond the input format itself ({@link InputRows#prepareQ40} for
     * Q4_0), once per {@link InputRows#load} and before the rows are shared between threads. Without it the kernel takes
     * a slower path to the same products.
     */
    default void prepare(InputRows in) {}

    /** Weight row starting at byte {@code off} of {@code w} · activation row {@code row} of {@code in}. */
    float dot(MemorySegment w, long off, InputRows in, int row);

    /**
     * The weight row · every activation row of {@code in}: {@code out[outOff + t·stride]} for each token {@code t}.
     * Kernels with a batch path decode the weight row once and multiply several tokens per instruction; the results
     * are the bits {@link #dotReference} gives token by token.
     */
    default void dotBatch(MemorySegment w, long off, InputRows in, float[] out, int outOff, int stride) {
        for (int t = 0; t < in.rows; t++) {
            out[outOff + t * stride] = dot(w, off, in, t);
        }
    }

    /**
     * {@code nRows} consecutive weight rows ({@code rowBytes} apart) · every activation row: row {@code j}, token
     * {@code t} into {@code out[outOff + j + t·stride]}. Kernels with a batch path multiply several rows with each
     * activation vector they load.
     */
    default void dotRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        for (int j = 0; j < nRows; j++) {
            dotBatch(w, off + j * rowBytes, in, out, outOff + j, stride);
        }
    }

    /** The scalar reference: what batch paths equal bit for bit, and one-token paths up to rounding order. */
    float dotReference(MemorySegment w, long off, InputRows in, int row);
}
