package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q3_K: super-blocks of 256 weights in 16 groups of 16, 3-bit levels (2 low bits plus a high-bit mask), 6-bit signed
 * group scales under one fp16 d (110 bytes: hmask[32], qs[64], scales[12], d). Without an importance matrix as ggml
 * {@code quantize_row_q3_K_ref}, with one as {@code quantize_row_q3_K_impl}.
 */
public final class Q3_K implements BlockCodec {
    static final int QK_K = 256;
    static final int BYTES = 110;

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        byte[] L = new byte[QK_K];
        float[] scales = new float[QK_K / 16];
        float[] weight = new float[16];
        float[] sw = new float[QK_K / 16];
        byte[] Ls = new byte[QK_K / 16];
        for (int i = 0; i < n / QK_K; i++) {
            int b = xo + i * QK_K;
            int o = oo + i * BYTES;
            java.util.Arrays.fill(out, o + 96, o + 108, (byte) 0);
            if (imatrix == null) {
                scalesRef(x, b, out, o, L, scales);
            } else {
                scalesWeighted(x, b, imatrix, i * QK_K, out, o, L, scales, weight, sw, Ls);
            }
            requantizeAndPack(x, b, out, o, L);
        }
    }

    private static void scalesRef(float[] x, int b, byte[] out, int o, byte[] L, float[] scales) {
        float maxScale = 0;
        float amax = 0;
        if (QkxLanes.ENABLED) {
            QxLanes.q3Run8(4, x, b, L, 0, scales, 0);
            QxLanes.q3Run8(4, x, b + 128, L, 128, scales, 8);
        }
        for (int j = 0; j < QK_K / 16; ++j) {
            if (!QkxLanes.ENABLED) {
                scales[j] = QuantSearch.makeQ3Quants(16, 4, x, b + 16 * j, L, 16 * j, true);
            }
            float scale = Math.abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        if (maxScale != 0) {
            float iscale = -32.f / maxScale;
            int[] ls = SCALE_LEVELS.get();
            for (int j = 0; j < QK_K / 16; ++j) {
                int l = (byte) QuantMath.nearestInt(iscale * scales[j]);
                ls[j] = Math.max(-32, Math.min(31, l)) + 32;
            }
            packScales(out, o, ls);
            QuantMath.putShort(out, o + 108, QuantMath.toF16(1 / iscale));
        } else {
            QuantMath.putShort(out, o + 108, QuantMath.toF16(0.f));
        }
    }

    private static void scalesWeighted(
            float[] x,
            int b,
            float[] qwAll,
            int qwo,
            byte[] out,
            int o,
            byte[] L,
            float[] scales,
            float[] weight,
            float[] sw,
            byte[] Ls) {
        float sigma2 = 2 * QuantSearch.sumSquares(x, b, QK_K) / QK_K;
        for (int j = 0; j < QK_K / 16; ++j) {
            QuantSearch.importanceWeights(qwAll, qwo + 16 * j, x, b + 16 * j, sigma2, weight, 16);
            float sumw = 0;
            for (int l = 0; l < 16; ++l) sumw += weight[l];
            sw[j] = sumw;
            scales[j] = QuantSearch.makeQxQuants(16, 4, x, b + 16 * j, L, 16 * j, 1, weight, 0);
        }
        float dBlock = QuantSearch.makeQxQuants(QK_K / 16, 32, scales, 0, Ls, 0, 1, sw, 0);
        for (int j = 0; j < QK_K / 16; ++j) {
            packScale(out, o, j, Ls[j]);
        }
        QuantMath.putShort(out, o + 108, QuantMath.toF16(dBlock));
    }

    private static final ThreadLocal<int[]> SCALE_LEVELS = ThreadLocal.withInitial(() -> new int[QK_K / 16]);

    /**
     * All sixteen 6-bit scales at once, as {@link #packScale} stores them one by one: low nibbles of 0..7 and 8..15
     * share bytes 0..7, the high two bits of j go to byte 8 + j % 4 at bit 2·(j / 4). (The block's scale bytes are
     * cleared beforehand; they are written whole here.)
     */
    private static void packScales(byte[] out, int o, int[] l) {
        int s = o + 96;
        for (int j = 0; j < 8; j++) {
            out[s + j] = (byte) ((l[j] & 0xF) | ((l[j + 8] & 0xF) << 4));
        }
        for (int k = 0; k < 4; k++) {
            out[s + 8 + k] =
                    (byte) ((l[k] >> 4) | ((l[k + 4] >> 4) << 2) | ((l[k + 8] >> 4) << 4) | ((l[k + 12] >> 4) << 6));
        }
    }

    /** Stores the 6-bit scale {@code l} (0..63) of group {@code j}: low nibbles in scales[0..7], 2 high bits above. */
    private static void packScale(byte[] out, int o, int j, int l) {
        int s = o + 96;
        if (j < 8) {
            out[s + j] = (byte) (l & 0xF);
        } else {
            out[s + j - 8] |= (byte) ((l & 0xF) << 4);
        }
        l >>= 4;
        out[s + j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
    }

    private static int scale(byte[] in, int o, int j) {
        return KScales.scale3(in, o + 96, j);
    }

    private static void requantizeAndPack(float[] x, int b, byte[] out, int o, byte[] L) {
        float dAll = QuantMath.fromF16(QuantMath.getShort(out, o + 108));
        for (int j = 0; j < QK_K / 16; ++j) {
            float d = dAll * scale(out, o, j);
            if (d == 0) continue;
            if (QkxLanes.ENABLED) {
                QkxLanes.requantize(x, b + 16 * j, 16, false, 0f, d, -4, 3, 4, L, 16 * j);
                continue;
            }
            for (int ii = 0; ii < 16; ++ii) {
                int l = QuantMath.nearestInt(x[b + 16 * j + ii] / d);
                l = Math.max(-4, Math.min(3, l));
                L[16 * j + ii] = (byte) (l + 4);
            }
        }
        // the high bit of level j goes to bit j/32 of hmask byte j%32 (as ggml's loop with m and hm), branch-free
        for (int m = 0; m < QK_K / 8; ++m) {
            int bits = 0;
            for (int k = 0; k < 8; ++k) {
                int j = 32 * k + m;
                bits |= ((L[j] >> 2) & 1) << k;
                L[j] &= 3;
            }
            out[o + m] = (byte) bits;
        }
        for (int j = 0; j < QK_K; j += 128) {
            for (int l = 0; l < 32; ++l) {
                out[o + 32 + j / 4 + l] =
                        (byte) (L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK_K; i++) {
            int o = io + i * BYTES;
            float dAll = QuantMath.fromF16(QuantMath.getShort(in, o + 108));
            int q = o + 32;
            int m = 1;
            int is = 0;
            int y0 = yo + i * QK_K;
            for (int nn = 0; nn < QK_K; nn += 128) {
                int shift = 0;
                for (int j = 0; j < 4; ++j) {
                    float dl = dAll * scale(in, o, is++);
                    for (int l = 0; l < 16; ++l) {
                        y[y0++] = dl * (((in[q + l] >> shift) & 3) - ((in[o + l] & m) != 0 ? 0 : 4));
                    }
                    dl = dAll * scale(in, o, is++);
                    for (int l = 0; l < 16; ++l) {
                        y[y0++] = dl * (((in[q + l + 16] >> shift) & 3) - ((in[o + l + 16] & m) != 0 ? 0 : 4));
                    }
                    shift += 2;
                    m <<= 1;
                }
                q += 32;
            }
        }
    }
}
