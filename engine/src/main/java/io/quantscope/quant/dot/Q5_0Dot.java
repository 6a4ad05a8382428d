package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q5_0 · Q8_0 ({@code ggml_vec_dot_q5_0_q8_0}): per block {@code sumf += (dx·dy)·sumi}. */
final class Q5_0Dot extends BlockDot {
    Q5_0Dot() {
        super(GgmlType.Q5_0, InputFormat.Q8_0);
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 22L * ib;
            int yo = (yb + ib) * 32;
            int qh = Mem.u32(w, bo + 2);
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = Mem.u8(w, bo + 6 + j);
                int xh0 = ((qh >>> j) & 1) << 4;
                int xh1 = ((qh >>> (j + 16)) & 1) << 4;
                sumi0 += (((q & 0x0F) | xh0) - 16) * in.qs[yo + j];
                sumi1 += (((q >>> 4) | xh1) - 16) * in.qs[yo + j + 16];
            }
            int sumi = sumi0 + sumi1;
            sumf += (Mem.f16(w, bo) * in.d[yb + ib]) * sumi;
        }
        return sumf;
    }
}
