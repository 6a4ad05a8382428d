package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Q6_K: super-blocks of 256 weights in 16 groups of 16, 6-bit levels (low nibbles plus 2-bit planes), signed 8-bit
 * group scales under one fp16 d (210 bytes: ql[128], qh[64], scales[16], d). As ggml {@code quantize_row_q6_K_ref} /
 * {@code quantize_row_q6_K_impl} (which passes the importance directly as weights).
 */
public final class Q6_K implements BlockCodec {
    static final int QK_K = 256;
    static final int BYTES = 210;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        byte[] L = new byte[QK_K];
        float[] scales = new float[QK_K / 16];
        for (int i = 0; i < n / QK_K; i++) {
            int b = xo + i * QK_K;
            int o = oo + i * BYTES;
            float maxScale = 0;
            float maxAbsScale = 0;
            if (QkxLanes.ENABLED) {
                for (int half = 0; half < 2; half++) {
                    QxLanes.run8(
                            32,
                            x,
                            b + 128 * half,
                            imatrix,
                            imatrix == null ? 0 : i * QK_K + 128 * half,
                            L,
                            128 * half,
                            scales,
                            8 * half);
                }
            }
            for (int ib = 0; ib < QK_K / 16; ++ib) {
                float scale = QkxLanes.ENABLED
                        ? scales[ib]
                        : QuantSearch.makeQxQuants(
                                16,
                                32,
                                x,
                                b + 16 * ib,
                                L,
                                16 * ib,
                                1,
                                imatrix,
                                imatrix == null ? 0 : i * QK_K + 16 * ib);
                scales[ib] = scale;
                float absScale = Math.abs(scale);
                if (absScale > maxAbsScale) {
                    maxAbsScale = absScale;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < QuantSearch.GROUP_MAX_EPS) {
                java.util.Arrays.fill(out, o, o + BYTES, (byte) 0);
                QuantMath.putShort(out, o + 208, QuantMath.toF16(0.f));
                continue;
            }
            float iscale = -128.f / maxScale;
            QuantMath.putShort(out, o + 208, QuantMath.toF16(1 / iscale));
            for (int ib = 0; ib < QK_K / 16; ++ib) {
                out[o + 192 + ib] = (byte) Math.min(127, QuantMath.nearestInt(iscale * scales[ib]));
            }
            float dAll = QuantMath.fromF16(QuantMath.getShort(out, o + 208));
            for (int j = 0; j < QK_K / 16; ++j) {
                float d = dAll * out[o + 192 + j];
                if (d == 0) continue;
                if (QkxLanes.ENABLED) {
                    QkxLanes.requantize(x, b + 16 * j, 16, false, 0f, d, -32, 31, 32, L, 16 * j);
                    continue;
                }
                for (int ii = 0; ii < 16; ++ii) {
                    int l = QuantMath.nearestInt(x[b + 16 * j + ii] / d);
                    l = Math.max(-32, Math.min(31, l));
                    L[16 * j + ii] = (byte) (l + 32);
                }
            }
            int ql = o;
            int qh = o + 128;
            for (int j = 0; j < QK_K; j += 128) {
                for (int l = 0; l < 32; ++l) {
                    int q1 = L[j + l] & 0xF;
                    int q2 = L[j + l + 32] & 0xF;
                    int q3 = L[j + l + 64] & 0xF;
                    int q4 = L[j + l + 96] & 0xF;
                    out[ql + l] = (byte) (q1 | (q3 << 4));
                    out[ql + l + 32] = (byte) (q2 | (q4 << 4));
                    out[qh + l] = (byte) ((L[j + l] >> 4)
                            | ((L[j + l + 32] >> 4) << 2)
                            | ((L[j + l + 64] >> 4) << 4)
                            | ((L[j + l + 96] >> 4) << 6));
                }
                ql += 64;
                qh += 32;
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] in, int io, int n, float[] y, int yo) {
        for (int i = 0; i < n / QK_K; i++) {
            int o = io + i * BYTES;
            float d = QuantMath.fromF16(QuantMath.getShort(in, o + 208));
            int ql = o;
            int qh = o + 128;
            int sc = o + 192;
            int y0 = yo + i * QK_K;
            for (int nn = 0; nn < QK_K; nn += 128) {
                for (int l = 0; l < 32; ++l) {
                    int is = l / 16;
                    int h = in[qh + l] & 0xFF;
                    int q1 = ((in[ql + l] & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((in[ql + l + 32] & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = (((in[ql + l] & 0xFF) >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = (((in[ql + l + 32] & 0xFF) >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[y0 + l] = d * in[sc + is] * q1;
                    y[y0 + l + 32] = d * in[sc + is + 2] * q2;
                    y[y0 + l + 64] = d * in[sc + is + 4] * q3;
                    y[y0 + l + 96] = d * in[sc + is + 6] * q4;
                }
                y0 += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
