package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q5_1 · Q8_1 ({@code ggml_vec_dot_q5_1_q8_1}): per block {@code (dx·dy)·sumi + mx·sy}. */
final class Q5_1Dot extends Block32Dot {
    Q5_1Dot() {
        super(GgmlType.Q5_1, InputFormat.Q8_1, new LaneDots.Block32Lanes(4, 8, 0, true, false));
    }

    @Override
    float term(MemorySegment w, long bo, InputRows in, int yo, int yb) {
        int sumi = sumi(w, bo + 4, bo + 8, 0, in, yo);
        return (Mem.f16(w, bo) * in.d[yb]) * sumi + Mem.f16(w, bo + 2) * in.s[yb];
    }

    /** Σ (5-bit level + bias) · activation over a block: high bits at {@code qhOff}, nibbles at {@code qsOff}. */
    static int sumi(MemorySegment w, long qhOff, long qsOff, int bias, InputRows in, int yo) {
        int qh = Mem.u32(w, qhOff);
        int sumi0 = 0;
        int sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            int q = Mem.u8(w, qsOff + j);
            int xh0 = ((qh >>> j) & 1) << 4;
            int xh1 = ((qh >>> (j + 16)) & 1) << 4;
            sumi0 += (((q & 0x0F) | xh0) + bias) * in.qs[yo + j];
            sumi1 += (((q >>> 4) | xh1) + bias) * in.qs[yo + j + 16];
        }
        return sumi0 + sumi1;
    }
}
