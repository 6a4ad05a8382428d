package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * F32, F16 and BF16 weights: ggml's generic {@code ggml_vec_dot_f32/f16/bf16} multiply in float and accumulate in
 * double, in index order, then round the sum to float.
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
            case F32 -> VectorDots.f32(w, off, in.f, row * in.n, in.n);
            case F16 -> VectorDots.f16(w, off, in.f, row * in.n, in.n);
            default -> dotReference(w, off, in, row);
        };
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int n = in.n;
        int yo = row * n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) (weight(w, off + (long) width * i) * in.f[yo + i]);
        }
        return (float) sum;
    }
}
