package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q5_1 · Q8_1 ({@code ggml_vec_dot_q5_1_q8_1}): per block {@code sumf += (dx·dy)·sumi + mx·sy}. */
final class Q5_1Dot extends BlockDot {
    Q5_1Dot() {
        super(GgmlType.Q5_1, InputFormat.Q8_1);
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 24L * ib;
            int yo = (yb + ib) * 32;
            int qh = Mem.u32(w, bo + 4);
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = Mem.u8(w, bo + 8 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                sumi0 += ((q & 0x0F) | xh0) * in.qs[yo + j];
                sumi1 += ((q >>> 4) | xh1) * in.qs[yo + j + 16];
            }
            int sumi = sumi0 + sumi1;
            sumf += (Mem.f16(w, bo) * in.d[yb + ib]) * sumi + Mem.f16(w, bo + 2) * in.s[yb + ib];
        }
        return sumf;
    }
}
