package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q8_0 · Q8_0 ({@code ggml_vec_dot_q8_0_q8_0}): per block {@code sumi·(dx·dy)}. */
final class Q8_0Dot extends Block32Dot {
    Q8_0Dot() {
        super(GgmlType.Q8_0, InputFormat.Q8_0);
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return LaneDots.ENABLED ? LaneDots.q8_0(w, off, in, row) : dotReference(w, off, in, row);
    }

    @Override
    float term(MemorySegment w, long bo, InputRows in, int yo, int yb) {
        int sumi = 0;
        for (int j = 0; j < 32; j++) {
            sumi += Mem.s8(w, bo + 2 + j) * in.qs[yo + j];
        }
        return sumi * (Mem.f16(w, bo) * in.d[yb]);
    }
}
