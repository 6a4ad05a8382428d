package io.quantscope.quant;

/**
 * The scalar rounding and half-precision helpers every quantizer shares, matching ggml bit for bit. All arithmetic in
 * the quantizers is binary32, left to right, without fused multiply-add (Java never contracts), as ggml's reference
 * build computes it.
 */
public final class QuantMath {
    private QuantMath() {}

    /** Round half to even via the float magic-number trick, exactly as ggml's {@code nearest_int}. */
    public static int nearestInt(float f) {
        float v = f + 12582912.f;
        int i = Float.floatToRawIntBits(v);
        return (i & 0x007fffff) - 0x00400000;
    }

    /** C {@code roundf}: half away from zero (computed in double so values just below .5 stay below). */
    public static float roundf(float x) {
        double r = Math.floor(Math.abs((double) x) + 0.5);
        return (float) Math.copySign(r, x);
    }

    /** FP32 → FP16 bits, round to nearest even (as ggml's software conversion). */
    public static short toF16(float f) {
        return Float.floatToFloat16(f);
    }

    /** FP16 bits → FP32, exact. */
    public static float fromF16(short h) {
        return Float.float16ToFloat(h);
    }

    /** FP32 → BF16 bits, round to nearest even, NaN forced quiet (as {@code ggml_compute_fp32_to_bf16}). */
    public static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    public static float fromBf16(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /** The fp16 rounding of {@code f}, back as a float: what a block's stored scale really is. */
    public static float roundTripF16(float f) {
        return fromF16(toF16(f));
    }

    static void putShort(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static short getShort(byte[] b, int off) {
        return (short) ((b[off] & 0xFF) | (b[off + 1] << 8));
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    static int getInt(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }
}
