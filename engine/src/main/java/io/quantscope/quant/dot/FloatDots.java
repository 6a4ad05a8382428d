package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * F32, F16 and BF16 weights: as ggml's generic {@code ggml_vec_dot_f32/f16/bf16}, products in float accumulated in
 * double and rounded to float once; the double sum runs in eight classes (index mod 8) combined in a fixed order, so
 * the batch path gives the same bits; the one-token path ({@link LaneDots}) accumulates in float lanes instead.
 */
final class FloatDots extends BlockDot {
    static final DotKernel F32 = new FloatDots(GgmlType.F32, InputFormat.F32);
    static final DotKernel F16 = new FloatDots(GgmlType.F16, InputFormat.F16);
    static final DotKernel BF16 = new FloatDots(GgmlType.BF16, InputFormat.BF16);

    private final int width;

    private FloatDots(GgmlType type, InputFormat input) {
        super(type, input);
        this.width = type == GgmlType.F32 ? 4 : 2;
    }

    private float weight(MemorySegment w, long off) {
        return switch (type()) {
            case F32 -> Mem.f32(w, off);
            case F16 -> Mem.f16(w, off);
            default -> Mem.bf16(w, off);
        };
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return switch (type()) {
            case F32 -> LaneDots.ENABLED ? LaneDots.f32(w, off, in.f, row * in.n, in.n) : dotReference(w, off, in, row);
            case F16 -> LaneDots.ENABLED ? LaneDots.f16(w, off, in, row) : dotReference(w, off, in, row);
            default -> LaneDots.SIXTEEN ? LaneDots.bf16(w, off, in.f, row * in.n, in.n) : dotReference(w, off, in, row);
        };
    }

    @Override
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (FloatBatch.run(this::decode, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            return;
        }
        if (type() == GgmlType.F16 && LaneDots.ENABLED) {
            LaneDots.f16Rows(w, off, rowBytes, nRows, in, out, outOff, stride);
        } else {
            super.exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    private void decode(MemorySegment w, long off, float[] a, int n) {
        for (int i = 0; i < n; i++) {
            a[i] = weight(w, off + (long) width * i);
        }
    }

    /** The order every path keeps (see {@link FloatBatch}), computed one weight at a time. */
    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        return FloatBatch.scalar(i -> weight(w, off + (long) width * i), in.f, row * in.n, in.n);
    }
}
