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
        return LaneDots.ENABLED ? LaneDots.q2_K(w, off, in, row) : dotReference(w, off, in, row);
    }

    @Override
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (!KBatch.run(Q2_KDot::decode, BLOCK, KBatch.Mode.Q2_K, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            super.exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    /** Values times their 4-bit scales; the mins per 16 weights; d and dmin. */
    private static float decode(
            MemorySegment w, long bo, float[] wq, int wo, float[] mins, int mo, float[] dmin, int i) {
        for (int e = 0; e < 256; e++) {
            int k = e / 128;
            int j = (e % 128) / 32;
            int l = e % 32;
            int q = (Mem.u8(w, bo + 16 + 32L * k + l) >>> (2 * j)) & 3;
            wq[wo + e] = (Mem.u8(w, bo + e / 16) & 0xF) * q;
        }
        for (int j = 0; j < 16; j++) {
            mins[mo + j] = Mem.u8(w, bo + j) >>> 4;
        }
        dmin[i] = Mem.f16(w, bo + 82);
        return Mem.f16(w, bo + 80);
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
