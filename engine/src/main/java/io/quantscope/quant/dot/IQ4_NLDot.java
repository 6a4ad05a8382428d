package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** IQ4_NL · Q8_0 ({@code ggml_vec_dot_iq4_nl_q8_0}): per block {@code sumf += (dy·dx)·(sumi1 + sumi2)}. */
final class IQ4_NLDot extends BlockDot {
    IQ4_NLDot() {
        super(GgmlType.IQ4_NL, InputFormat.Q8_0);
    }

    static final byte[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 32;
        int yb = row * nb;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 18L * ib;
            int yo = (yb + ib) * 32;
            float d = in.d[yb + ib] * Mem.f16(w, bo);
            int sumi1 = 0;
            int sumi2 = 0;
            for (int j = 0; j < 16; j++) {
                int q = Mem.u8(w, bo + 2 + j);
                sumi1 += in.qs[yo + j] * VALUES[q & 0xF];
                sumi2 += in.qs[yo + j + 16] * VALUES[q >>> 4];
            }
            sumf += d * (sumi1 + sumi2);
        }
        return sumf;
    }
}
