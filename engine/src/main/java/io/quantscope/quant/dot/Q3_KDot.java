package io.quantscope.quant.dot;

import io.quantscope.quant.KScales;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q3_K · Q8_K ({@code ggml_vec_dot_q3_K_q8_K}, generic path). */
final class Q3_KDot extends BlockDot {
    Q3_KDot() {
        super(GgmlType.Q3_K, InputFormat.Q8_K);
    }

    static final int BLOCK = 110;

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return LaneDots.ENABLED ? LaneDots.q3_K(w, off, in, row) : dotReference(w, off, in, row);
    }

    @Override
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (!KBatch.run(Q3_KDot::decode, BLOCK, KBatch.Mode.LANES, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            super.exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    private static float decode(
            MemorySegment w, long bo, float[] wq, int wo, float[] mins, int mo, float[] dmin, int i) {
        byte[] a = KBatch.values256();
        values(w, bo, a);
        int[] sc = KBatch.scales16();
        scales(w, bo, sc);
        for (int j = 0; j < 16; j++) {
            for (int k = 0; k < 16; k++) {
                wq[wo + 16 * j + k] = sc[j] * a[16 * j + k];
            }
        }
        return Mem.f16(w, bo + 108);
    }

    /** The 16 signed 6-bit scales of a block (already minus 32). */
    static void scales(MemorySegment w, long bo, int[] out) {
        byte[] packed = Mem.scales12(w, bo + 96, new byte[12]);
        for (int j = 0; j < 16; j++) {
            out[j] = KScales.scale3(packed, 0, j);
        }
    }

    /** The 256 values of a block in [-4, 3]. */
    static void values(MemorySegment w, long bo, byte[] a) {
        int m = 1;
        int ai = 0;
        for (int j = 0; j < 256; j += 128) {
            long q3 = bo + 32 + j / 4;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int l = 0; l < 32; l++) {
                    int v = (Mem.u8(w, q3 + l) >>> shift) & 3;
                    a[ai + l] = (byte) (v - ((Mem.u8(w, bo + l) & m) != 0 ? 0 : 4));
                }
                ai += 32;
                m <<= 1;
            }
        }
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        byte[] a = new byte[256];
        int[] sc = new int[16];
        int[] aux32 = new int[8];
        float[] sums = new float[8];
        for (int i = 0; i < nb; i++) {
            long bo = off + (long) BLOCK * i;
            int q8 = (yb + i) * 256;
            values(w, bo, a);
            scales(w, bo, sc);
            java.util.Arrays.fill(aux32, 0);
            int ai = 0;
            for (int j = 0; j < 16; j++) {
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 8; l++) {
                        aux32[l] += sc[j] * (in.qs[q8 + l] * a[ai + l]);
                    }
                    q8 += 8;
                    ai += 8;
                }
            }
            KLanes.accumulate(sums, Mem.f16(w, bo + 108) * in.d[yb + i], aux32);
        }
        return KLanes.finish(0f, sums);
    }
}
