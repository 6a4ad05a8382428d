package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q5_0 · Q8_0 ({@code ggml_vec_dot_q5_0_q8_0}): per block {@code (dx·dy)·sumi}, levels minus 16. */
final class Q5_0Dot extends Block32Dot {
    Q5_0Dot() {
        super(GgmlType.Q5_0, InputFormat.Q8_0, new LaneDots.Block32Lanes(2, 6, -16, false, false));
    }

    @Override
    float term(MemorySegment w, long bo, InputRows in, int yo, int yb) {
        int sumi = Q5_1Dot.sumi(w, bo + 2, bo + 6, -16, in, yo);
        return (Mem.f16(w, bo) * in.d[yb]) * sumi;
    }
}
