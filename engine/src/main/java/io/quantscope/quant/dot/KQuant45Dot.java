package io.quantscope.quant.dot;

import io.quantscope.quant.KScales;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Q4_K and Q5_K · Q8_K ({@code ggml_vec_dot_q4_K_q8_K}, {@code _q5_K_}, generic path). */
final class KQuant45Dot extends BlockDot {
    private final boolean five;
    private final int block;

    KQuant45Dot(boolean five) {
        super(five ? GgmlType.Q5_K : GgmlType.Q4_K, InputFormat.Q8_K);
        this.five = five;
        this.block = five ? 176 : 144;
    }

    @Override
    public float dot(MemorySegment w, long off, InputRows in, int row) {
        if (!LaneDots.ENABLED || (five && !LaneDots.SHORTS)) {
            return dotReference(w, off, in, row);
        }
        return five ? LaneDots.q5_K(w, off, in, row) : LaneDots.q4_K(w, off, in, row);
    }

    @Override
    boolean oneTokenRows(MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff) {
        LaneDots.k45Rows(w, off, rowBytes, nRows, in, 0, out, outOff, five);
        return true;
    }

    @Override
    void exactRows(
            MemorySegment w, long off, long rowBytes, int nRows, InputRows in, float[] out, int outOff, int stride) {
        if (!KBatch.run(this::decode, block, KBatch.Mode.MINS, w, off, rowBytes, nRows, in, out, outOff, stride)) {
            super.exactRows(w, off, rowBytes, nRows, in, out, outOff, stride);
        }
    }

    private float decode(MemorySegment w, long bo, float[] wq, int wo, float[] mins, int mo, float[] dmin, int i) {
        byte[] a = KBatch.values256();
        values(w, bo, a);
        byte[] packed = KBatch.packed12();
        Mem.scales12(w, bo + 4, packed);
        for (int j = 0; j < 8; j++) {
            int scale = KScales.scale4(packed, 0, j);
            for (int k = 0; k < 32; k++) {
                wq[wo + 32 * j + k] = scale * a[32 * j + k];
            }
            int min = KScales.min4(packed, 0, j);
            mins[mo + 2 * j] = min;
            mins[mo + 2 * j + 1] = min;
        }
        dmin[i] = Mem.f16(w, bo + 2);
        return Mem.f16(w, bo);
    }

    /** The 256 values of a block (0..15, or 0..31 for Q5_K). */
    void values(MemorySegment w, long bo, byte[] a) {
        long q4 = bo + (five ? 48 : 16);
        int m = 1;
        int ai = 0;
        for (int j = 0; j < 4; j++) {
            for (int l = 0; l < 32; l++) {
                int q = Mem.u8(w, q4 + l);
                int lo = q & 0xF;
                int hi = q >>> 4;
                if (five) {
                    int h = Mem.u8(w, bo + 16 + l);
                    lo += (h & m) != 0 ? 16 : 0;
                    hi += (h & (m << 1)) != 0 ? 16 : 0;
                }
                a[ai + l] = (byte) lo;
                a[ai + l + 32] = (byte) hi;
            }
            ai += 64;
            q4 += 32;
            m <<= 2;
        }
    }

    @Override
    public float dotReference(MemorySegment w, long off, InputRows in, int row) {
        int nb = in.n / 256;
        int yb = row * nb;
        byte[] a = new byte[256];
        byte[] packed = new byte[12];
        int[] aux32 = new int[8];
        float[] sums = new float[8];
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + (long) block * i;
            int q8 = (yb + i) * 256;
            values(w, bo, a);
            Mem.scales12(w, bo + 4, packed);
            int sumi = 0;
            for (int j = 0; j < 16; j++) {
                sumi += in.bsums[(yb + i) * 16 + j] * KScales.min4(packed, 0, j / 2);
            }
            java.util.Arrays.fill(aux32, 0);
            int ai = 0;
            for (int j = 0; j < 8; j++) {
                int scale = KScales.scale4(packed, 0, j);
                for (int part = 0; part < 4; part++) {
                    for (int l = 0; l < 8; l++) {
                        aux32[l] += scale * (in.qs[q8 + l] * a[ai + l]);
                    }
                    q8 += 8;
                    ai += 8;
                }
            }
            float d = Mem.f16(w, bo) * in.d[yb + i];
            KLanes.accumulate(sums, d, aux32);
            float dmin = Mem.f16(w, bo + 2) * in.d[yb + i];
            sumf -= dmin * sumi;
        }
        return KLanes.finish(sumf, sums);
    }
}
