package io.quantscope.quant.dot;

/**
 * The float tail the generic K-quant dot products share (Q3_K … Q6_K): per block, eight integer lane sums
 * {@code aux32[l]} (lane = index mod 8) are scaled into eight float accumulators; at the end the accumulators are
 * added in lane order to whatever the caller has accumulated (the min terms of Q4_K/Q5_K).
 */
final class KLanes {
    private KLanes() {}

    static void accumulate(float[] sums, float d, int[] aux32) {
        for (int l = 0; l < 8; l++) {
            sums[l] += d * aux32[l];
        }
    }

    static float finish(float sumf, float[] sums) {
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
        }
        return sumf;
    }

    /** Q4_K/Q5_K 6-bit scales and mins (12 bytes) unpacked to 8 scales then 8 mins, as ggml's utmp trick. */
    static void unpackScaleMin(int u0, int u1, int u2, byte[] scales, byte[] mins) {
        final int kmask1 = 0x3f3f3f3f;
        final int kmask2 = 0x0f0f0f0f;
        final int kmask3 = 0x03030303;
        int t3 = ((u2 >>> 4) & kmask2) | (((u1 >>> 6) & kmask3) << 4);
        int uaux = u1 & kmask1;
        int t1 = (u2 & kmask2) | (((u0 >>> 6) & kmask3) << 4);
        int t2 = uaux;
        int t0 = u0 & kmask1;
        put(scales, 0, t0);
        put(scales, 4, t1);
        put(mins, 0, t2);
        put(mins, 4, t3);
    }

    private static void put(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
        b[o + 2] = (byte) (v >>> 16);
        b[o + 3] = (byte) (v >>> 24);
    }
}
