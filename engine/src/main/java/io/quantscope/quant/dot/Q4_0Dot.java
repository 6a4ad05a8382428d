package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q4_0 · Q8_0 ({@code ggml_vec_dot_q4_0_q8_0}): per block {@code sumi·dx·dy}. */
final class Q4_0Dot extends Block32Dot {
    Q4_0Dot() {
        super(GgmlType.Q4_0, InputFormat.Q8_0);
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return LaneDots.ENABLED ? LaneDots.q4_0(w, off, in, row) : dotReference(w, off, in, row);
    }

    @Override
    public void prepare(InputRows in) {
        in.prepareQ40();
    }

    @Override
    float term(MemorySegment w, long bo, InputRows in, int yo, int yb) {
        int sumi0 = 0;
        int sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            int q = Mem.u8(w, bo + 2 + j);
            sumi0 += ((q & 0x0F) - 8) * in.qs[yo + j];
            sumi1 += ((q >>> 4) - 8) * in.qs[yo + j + 16];
        }
        int sumi = sumi0 + sumi1;
        return sumi * Mem.f16(w, bo) * in.d[yb];
    }
}
