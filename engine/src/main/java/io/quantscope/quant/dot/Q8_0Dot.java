package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_0 · Q8_0 ({@code ggml_vec_dot_q8_0_q8_0}): per block {@code sumf += sumi·(dx·dy)}. */
final class Q8_0Dot extends BlockDot {
    Q8_0Dot() {
        super(GgmlType.Q8_0, InputFormat.Q8_0);
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return VectorDots.q8_0(w, off, in, row);
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            int sumi = 0;
            for (int j = 0; j < 32; j++) {
                sumi += Mem.s8(w, bo + 2 + j) * in.qs[yo + j];
            }
            sumf += sumi * (Mem.f16(w, bo) * in.d[yb + ib]);
        }
        return sumf;
    }
}
