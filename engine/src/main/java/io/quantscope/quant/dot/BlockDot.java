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

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return dotReference(w, off, in, row);
    }
}
