package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q4_1 · Q8_1 ({@code ggml_vec_dot_q4_1_q8_1}): per block {@code (dx·dy)·sumi + mx·sy}. */
final class Q4_1Dot extends Block32Dot {
    Q4_1Dot() {
        super(GgmlType.Q4_1, InputFormat.Q8_1, new LaneDots.Block32Lanes(-1, 4, 0, true, false));
    }

    @Override
    float term(MemorySegment w, long bo, InputRows in, int yo, int yb) {
        int sumi0 = 0;
        int sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            int q = Mem.u8(w, bo + 4 + j);
            sumi0 += (q & 0x0F) * in.qs[yo + j];
            sumi1 += (q >>> 4) * in.qs[yo + j + 16];
        }
        int sumi = sumi0 + sumi1;
        return (Mem.f16(w, bo) * in.d[yb]) * sumi + Mem.f16(w, bo + 2) * in.s[yb];
    }
}
