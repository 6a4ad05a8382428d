package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q2_K · Q8_K ({@code ggml_vec_dot_q2_K_q8_K}, generic path): per block {@code sumf += dall·isum − dmin·summs}. */
final class Q2_KDot extends BlockDot {
    Q2_KDot() {
        super(GgmlType.Q2_K, InputFormat.Q8_K);
    }

    static final int BLOCK = 84;

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return VectorDots.q2_K(w, off, in, row);
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + (long) BLOCK * i;
            int y = (yb + i) * 256;
            int summs = 0;
            for (int j = 0; j < 16; j++) {
                summs += in.bsums[(yb + i) * 16 + j] * (Mem.u8(w, bo + j) >>> 4);
            }
            float dall = in.d[yb + i] * Mem.f16(w, bo + 80);
            float dmin = in.d[yb + i] * Mem.f16(w, bo + 82);
            int isum = 0;
            int is = 0;
            int q8 = y;
            long q2 = bo + 16;
            for (int k = 0; k < 2; k++) {
                int shift = 0;
                for (int j = 0; j < 4; j++) {
                    int d = Mem.u8(w, bo + is++) & 0xF;
                    int isuml = 0;
                    for (int l = 0; l < 16; l++) {
                        isuml += in.qs[q8 + l] * ((Mem.u8(w, q2 + l) >>> shift) & 3);
                    }
                    isum += d * isuml;
                    d = Mem.u8(w, bo + is++) & 0xF;
                    isuml = 0;
                    for (int l = 16; l < 32; l++) {
                        isuml += in.qs[q8 + l] * ((Mem.u8(w, q2 + l) >>> shift) & 3);
                    }
                    isum += d * isuml;
                    shift += 2;
                    q8 += 32;
                }
                q2 += 32;
            }
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }
}
