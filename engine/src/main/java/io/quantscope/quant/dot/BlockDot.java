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
     * One token runs on the type's {@link #oneTokenRows} kernel where it has one; batches of several tokens run as a
     * matrix product in float lanes ({@link LaneBatch}) where it applies; the rest on {@link #exactRows}.
     */
    @Override
    public final void dotRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (in.rows == 1
                && LaneDots.ENABLED
                && LaneDots.SHORTS
                && oneTokenRows(w, off, rowBytes, nRows, in, out, outOff)) {
            return;
        }
        if (!LaneBatch.run(type, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    /**
     * The one activation row · {@code nRows} weight rows in one call, each row's result the bits {@link #dot} gives:
     * a kernel over a run of rows saves the per-row call and set-up, which at 2048 columns is a tenth of the time or
     * more. False where the type has no such kernel, and nothing was written. The kernels are in 16-bit lanes, so
     * {@link #dotRows} asks only when those are on ({@link LaneDots#SHORTS}).
     */
    boolean oneTokenRows(MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff) {
        return false;
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
