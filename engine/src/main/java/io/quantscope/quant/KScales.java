package io.quantscope.quant;

/**
 * The packed sub-block scales of the K-quants, read back: the 6-bit scale/min pairs of Q4_K and Q5_K
 * ({@code get_scale_min_k4}) and the signed 6-bit scales of Q3_K. {@code o} is the offset of the block's 12 scale
 * bytes. Shared by the codecs and the dot kernels.
 */
public final class KScales {
    private KScales() {}

    /** Q4_K/Q5_K scale of sub-block {@code j} (0..7). */
    public static int scale4(byte[] in, int o, int j) {
        if (j < 4) return in[o + j] & 63;
        return (in[o + j + 4] & 0xF) | (((in[o + j - 4] & 0xFF) >> 6) << 4);
    }

    /** Q4_K/Q5_K min of sub-block {@code j} (0..7). */
    public static int min4(byte[] in, int o, int j) {
        if (j < 4) return in[o + j + 4] & 63;
        return ((in[o + j + 4] & 0xFF) >> 4) | (((in[o + j] & 0xFF) >> 6) << 4);
    }

    /** Q3_K scale of sub-block {@code j} (0..15), already minus 32. */
    public static int scale3(byte[] in, int o, int j) {
        int sc = j < 8 ? in[o + j] & 0xF : (in[o + j - 8] & 0xFF) >> 4;
        return (byte) ((sc | (((in[o + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4) - 32);
    }
}
