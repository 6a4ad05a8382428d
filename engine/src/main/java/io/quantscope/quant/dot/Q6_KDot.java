package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q6_K · Q8_K ({@code ggml_vec_dot_q6_K_q8_K}, generic path). */
final class Q6_KDot extends BlockDot {
    Q6_KDot() {
        super(GgmlType.Q6_K, InputFormat.Q8_K);
    }

    static final int BLOCK = 210;

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        return LaneDots.ENABLED ? LaneDots.q6_K(w, off, in, row) : dotReference(w, off, in, row);
    }

    @Override
    boolean oneTokenRows(MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff) {
        LaneDots.q6Rows(w, off, rowBytes, nRows, in, 0, out, outOff);
        return true;
    }

    /** The 256 values of a block in [-32, 31]. */
    @Override
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (!KBatch.run(Q6_KDot::decode, BLOCK, KBatch.Mode.LANES, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            super.exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    private static float decode(
            MemorySegment w, long bo, float[] wq, int wo, float[] mins, int mo, float[] dmin, int i) {
        byte[] a = KBatch.values256();
        values(w, bo, a);
        for (int j = 0; j < 16; j++) {
            int scale = Mem.s8(w, bo + 192 + j);
            for (int k = 0; k < 16; k++) {
                wq[wo + 16 * j + k] = scale * a[16 * j + k];
            }
        }
        return Mem.f16(w, bo + 208);
    }

    static void values(MemorySegment w, long bo, byte[] a) {
        for (int j = 0; j < 2; j++) {
            long ql = bo + 64L * j;
            long qh = bo + 128 + 32L * j;
            int ai = 128 * j;
            for (int l = 0; l < 32; l++) {
                int h = Mem.u8(w, qh + l);
                int lo = Mem.u8(w, ql + l);
                int hi = Mem.u8(w, ql + l + 32);
                a[ai + l] = (byte) (((lo & 0xF) | ((h & 3) << 4)) - 32);
                a[ai + l + 32] = (byte) (((hi & 0xF) | (((h >>> 2) & 3) << 4)) - 32);
                a[ai + l + 64] = (byte) (((lo >>> 4) | (((h >>> 4) & 3) << 4)) - 32);
                a[ai + l + 96] = (byte) (((hi >>> 4) | (((h >>> 6) & 3) << 4)) - 32);
            }
        }
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        byte[] a = new byte[256];
        int[] aux32 = new int[8];
        float[] sums = new float[8];
        for (int i = 0; i < nb; i++) {
            long bo = off + (long) BLOCK * i;
            int q8 = (yb + i) * 256;
            values(w, bo, a);
            java.util.Arrays.fill(aux32, 0);
            int ai = 0;
            for (int j = 0; j < 16; j++) {
                int scale = Mem.s8(w, bo + 192 + j);
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 8; l++) {
                        aux32[l] += scale * (in.qs[q8 + l] * a[ai + l]);
                    }
                    q8 += 8;
                    ai += 8;
                }
            }
            KLanes.accumulate(sums, Mem.f16(w, bo + 208) * in.d[yb + i], aux32);
        }
        return KLanes.finish(0f, sums);
    }
}
