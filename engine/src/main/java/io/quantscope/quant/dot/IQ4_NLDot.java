package io.quantscope.quant.dot;

import io.quantscope.quant.IQ4_NL;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** IQ4_NL · Q8_0 ({@code ggml_vec_dot_iq4_nl_q8_0}): per block {@code (dy·dx)·(sumi1 + sumi2)}. */
final class IQ4_NLDot extends Block32Dot {
    IQ4_NLDot() {
        super(GgmlType.IQ4_NL, InputFormat.Q8_0, new LaneDots.Block32Lanes(-1, 2, 0, false, true));
    }

    @Override
    float term(MemorySegment w, long bo, InputRows in, int yo, int yb) {
        float d = in.d[yb] * Mem.f16(w, bo);
        int sumi1 = 0;
        int sumi2 = 0;
        for (int j = 0; j < 16; j++) {
            int q = Mem.u8(w, bo + 2 + j);
            sumi1 += in.qs[yo + j] * IQ4_NL.value(q & 0xF);
            sumi2 += in.qs[yo + j + 16] * IQ4_NL.value(q >>> 4);
        }
        return d * (sumi1 + sumi2);
    }
}
