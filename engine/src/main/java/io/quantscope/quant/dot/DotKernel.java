package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * The dot product of one stored weight row with one activation row, as ggml's CPU backend computes it: activations
 * are first converted to {@link #input()}, then the integer (or half-precision) products are summed block by block
 * and scaled in ggml's order. Every kernel has a plain scalar reference ({@link #dotReference}) written after ggml's
 * generic C code, and a fast path ({@link #dot}) that tests hold to the same bits.
 */
public interface DotKernel {
    GgmlType type();

    InputFormat input();

    /** Weight row starting at byte {@code off} of {@code w} · activation row {@code row} of {@code in}. */
    float dot(MemorySegment w, long off, InputRows in, int row);

    /** The scalar reference the fast path must equal. */
    float dotReference(MemorySegment w, long off, InputRows in, int row);
}
