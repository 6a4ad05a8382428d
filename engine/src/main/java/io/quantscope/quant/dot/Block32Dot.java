package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * The 32-weight block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL): ggml's generic dot products all run
 * {@code sumf += term(block)} over the blocks in order; each type supplies its block term.
 */
abstract class Block32Dot extends BlockDot {
    private final int blockBytes;

    /** The block's layout for the one-token lane kernel ({@link LaneDots#block32}), or null where the type has its own. */
    private final LaneDots.Block32Lanes lanes;

    Block32Dot(GgmlType type, InputFormat input) {
        this(type, input, null);
    }

    Block32Dot(GgmlType type, InputFormat input, LaneDots.Block32Lanes lanes) {
        super(type, input);
        this.blockBytes = (int) type.rowBytes(32);
        this.lanes = lanes;
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return lanes != null && LaneDots.SIXTEEN
                ? LaneDots.block32(w, off, in, row, blockBytes, lanes)
                : dotReference(w, off, in, row);
    }

    /**
     * The block's float term, computed in ggml's order.
     *
     * @param bo byte offset of the weight block
     * @param yo index of the block's first activation in {@code in.qs}
     * @param yb index of the activation block (its {@code d} and {@code s})
     */
    abstract float term(MemorySegment w, long bo, InputRows in, int yo, int yb);

    /** The batch path ({@link VectorDots#block32Batch}) when it applies, else row by row. */
    @Override
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (!VectorDots.block32Batch(type(), w, off, rowBytes, nRows, in, out, outOff, stride)) {
            super.exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    @Override
    public final float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            sumf += term(w, off + (long) blockBytes * ib, in, (yb + ib) * 32, yb + ib);
        }
        return sumf;
    }
}
