package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * F32, F16 and BF16 weights: ggml's generic {@code ggml_vec_dot_f32/f16/bf16} multiply in float and accumulate in
 * double, in index order, then round the sum to float.
 */
final class FloatDots {
    private FloatDots() {}

    static final DotKernel F32 = new DotKernel() {
        @Override
        public GgmlType type() {
            return GgmlType.F32;
        }

        @Override
        public InputFormat input() {
            return InputFormat.F32;
        }

        @Override
        public float dot(MemorySegment w, long off, InputRows in, int row) {
            return VectorDots.f32(w, off, in.f, row * in.n, in.n);
        }

        @Override
        public float dotReference(MemorySegment w, long off, InputRows in, int row) {
            int n = in.n;
            int yo = row * n;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += (double) (Mem.f32(w, off + 4L * i) * in.f[yo + i]);
            }
            return (float) sum;
        }
    };

    static final DotKernel F16 = new DotKernel() {
        @Override
        public GgmlType type() {
            return GgmlType.F16;
        }

        @Override
        public InputFormat input() {
            return InputFormat.F16;
        }

        @Override
        public float dot(MemorySegment w, long off, InputRows in, int row) {
            return VectorDots.f16(w, off, in.f, row * in.n, in.n);
        }

        @Override
        public float dotReference(MemorySegment w, long off, InputRows in, int row) {
            int n = in.n;
            int yo = row * n;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += (double) (Mem.f16(w, off + 2L * i) * in.f[yo + i]);
            }
            return (float) sum;
        }
    };

    static final DotKernel BF16 = new DotKernel() {
        @Override
        public GgmlType type() {
            return GgmlType.BF16;
        }

        @Override
        public InputFormat input() {
            return InputFormat.BF16;
        }

        @Override
        public float dot(MemorySegment w, long off, InputRows in, int row) {
            return dotReference(w, off, in, row);
        }

        @Override
        public float dotReference(MemorySegment w, long off, InputRows in, int row) {
            int n = in.n;
            int yo = row * n;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += (double) (Mem.bf16(w, off + 2L * i) * in.f[yo + i]);
            }
            return (float) sum;
        }
    };
}
