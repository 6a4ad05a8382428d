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
}
