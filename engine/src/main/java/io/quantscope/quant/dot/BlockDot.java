package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** What every kernel shares: its weight type, its input format, and a fast path that defaults to the reference. */
abstract class BlockDot implements DotKernel {
    private final GgmlType type;
    private final InputFormat input;

    BlockDot(GgmlType type, InputFormat input) {
        this.type = type;
        this.input = input;
    }

    @Override
    public final GgmlType type() {
        return type;
    }

    @Override
    public final InputFormat input() {
        return input;
    }

    /**
     * Batches of several tokens run as a matrix product in float lanes ({@link LaneBatch}) where it applies, else on
     * {@link #exactRows}.
     */
    @Override
    public final void dotRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (!LaneBatch.run(type, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    /**
     * The batch in the reference order where the type has such a path (the bits {@link #dotReference} gives token by
     * token), else token by token on {@link #dot}. Runs when lanes are off ({@code quantscope.referenceOrder}) and for
     * the batches {@link LaneBatch} leaves.
     */
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        DotKernel.super.dotRows(w, off, rowBytes, nRows, in, out, outOff, stride);
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return dotReference(w, off, in, row);
    }
}
