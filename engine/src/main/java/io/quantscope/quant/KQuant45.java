package io.quantscope.quant;

/**
 * What Q4_K and Q5_K share: 8 groups of 32 weights per 256-weight super-block, each with a 6-bit scale and a 6-bit
 * min packed into 12 bytes after fp16 d and dmin; the scale search of ggml's {@code quantize_row_q4_K_ref} /
 * {@code _q5_K_ref} and the importance-matrix search of their {@code _impl}.
 */
abstract class KQuant45 implements BlockCodec {
    static final int QK_K = 256;

    private final int nmax;
    private final float refRmin;
    private final int refSteps;
    private final boolean clampWeightedLevels;

    KQuant45(int nmax, float refRmin, int refSteps, boolean clampWeightedLevels) {
        this.nmax = nmax;
        this.refRmin = refRmin;
        this.refSteps = refSteps;
        this.clampWeightedLevels = clampWeightedLevels;
    }

    abstract int blockBytes();

    /** Packs the 256 levels in {@code L} into the block's quant bytes. */
    abstract void pack(byte[] L, byte[] out, int o);

    @Override
    public void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo) {
        byte[] L = new byte[QK_K];
        byte[] Laux = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[QK_K / 32];
        float[] scales = new float[QK_K / 32];
        float[] sw = new float[QK_K / 32];
        byte[] Ls = new byte[QK_K / 32];
        byte[] Lm = new byte[QK_K / 32];
        for (int i = 0; i < n / QK_K; i++) {
            int b = xo + i * QK_K;
            int o = oo + i * blockBytes();
            java.util.Arrays.fill(out, o + 4, o + 16, (byte) 0);
            if (imatrix == null) {
                scalesRef(x, b, out, o, L, Laux, weights, mins, scales);
            } else {
                scalesWeighted(x, b, imatrix, i * QK_K, out, o, L, Laux, weights, mins, scales, sw, Ls, Lm);
            }
            requantize(x, b, out, o, L);
            pack(L, out, o);
        }
    }

    private static final ThreadLocal<float[]> LANE_WEIGHTS = ThreadLocal.withInitial(() -> new float[QK_K]);

    private void scalesRef(
            float[] x, int b, byte[] out, int o, byte[] L, byte[] Laux, float[] weights, float[] mins, float[] scales) {
        float maxScale = 0;
        float maxMin = 0;
        if (QkxLanes.ENABLED) {
            float[] w = LANE_WEIGHTS.get();
            for (int j = 0; j < QK_K / 32; ++j) {
                float sumX2 = 0;
                for (int l = 0; l < 32; ++l) sumX2 += x[b + 32 * j + l] * x[b + 32 * j + l];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; ++l) w[32 * j + l] = avX + Math.abs(x[b + 32 * j + l]);
            }
            QkxLanes.run8(nmax, x, b, w, L, 0, scales, mins, refRmin, 0.1f, refSteps);
            for (int j = 0; j < QK_K / 32; ++j) {
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
        }
        for (int j = 0; j < QK_K / 32 && !QkxLanes.ENABLED; ++j) {
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l) sumX2 += x[b + 32 * j + l] * x[b + 32 * j + l];
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; ++l) weights[l] = avX + Math.abs(x[b + 32 * j + l]);
            scales[j] = QuantSearch.makeQkxQuants(
                    false,
                    32,
                    nmax,
                    x,
                    b + 32 * j,
                    weights,
                    0,
                    L,
                    32 * j,
                    mins,
                    j,
                    Laux,
                    refRmin,
                    0.1f,
                    refSteps,
                    false);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < QK_K / 32; ++j) {
            int ls = Math.min(63, QuantMath.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, QuantMath.nearestInt(invMin * mins[j]) & 0xFF);
            packScaleMin(out, o, j, ls, lm);
        }
        QuantMath.putShort(out, o, QuantMath.toF16(maxScale / 63.f));
        QuantMath.putShort(out, o + 2, QuantMath.toF16(maxMin / 63.f));
    }

    private void scalesWeighted(
            float[] x,
            int b,
            float[] qwAll,
            int qwo,
            byte[] out,
            int o,
            byte[] L,
            byte[] Laux,
            float[] weights,
            float[] mins,
            float[] scales,
            float[] sw,
            byte[] Ls,
            byte[] Lm) {
        float sigma2 = 2 * QuantSearch.sumSquares(x, b, QK_K) / QK_K;
        for (int j = 0; j < QK_K / 32; ++j) {
            QuantSearch.importanceWeights(qwAll, qwo + 32 * j, x, b + 32 * j, sigma2, weights, 32);
            float sumw = 0;
            for (int l = 0; l < 32; ++l) sumw += weights[l];
            sw[j] = sumw;
            scales[j] = QuantSearch.makeQkxQuants(
                    true, 32, nmax, x, b + 32 * j, weights, 0, L, 32 * j, mins, j, Laux, -0.9f, 0.05f, 36, false);
        }
        float dBlock = QuantSearch.makeQpQuants(QK_K / 32, 63, scales, Ls, sw);
        float mBlock = QuantSearch.makeQpQuants(QK_K / 32, 63, mins, Lm, sw);
        for (int j = 0; j < QK_K / 32; ++j) {
            int ls = Ls[j] & 0xFF;
            int lm = Lm[j] & 0xFF;
            if (clampWeightedLevels) {
                ls = Math.min(63, ls);
                lm = Math.min(63, lm);
            }
            packScaleMin(out, o, j, ls, lm);
        }
        QuantMath.putShort(out, o, QuantMath.toF16(dBlock));
        QuantMath.putShort(out, o + 2, QuantMath.toF16(mBlock));
    }

    private static void packScaleMin(byte[] out, int o, int j, int ls, int lm) {
        int s = o + 4;
        if (j < 4) {
            out[s + j] = (byte) ls;
            out[s + j + 4] = (byte) lm;
        } else {
            out[s + j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
            out[s + j - 4] |= (byte) ((ls >> 4) << 6);
            out[s + j] |= (byte) ((lm >> 4) << 6);
        }
    }

    static int scaleOf(byte[] in, int o, int j) {
        return KScales.scale4(in, o + 4, j);
    }

    static int minOf(byte[] in, int o, int j) {
        return KScales.min4(in, o + 4, j);
    }

    private void requantize(float[] x, int b, byte[] out, int o, byte[] L) {
        float dAll = QuantMath.fromF16(QuantMath.getShort(out, o));
        float mAll = QuantMath.fromF16(QuantMath.getShort(out, o + 2));
        for (int j = 0; j < QK_K / 32; ++j) {
            float d = dAll * scaleOf(out, o, j);
            if (d == 0) continue;
            float dm = mAll * minOf(out, o, j);
            if (QkxLanes.ENABLED) {
                QkxLanes.requantize(x, b + 32 * j, 32, true, dm, d, 0, nmax, 0, L, 32 * j);
                continue;
            }
            for (int ii = 0; ii < 32; ++ii) {
                int l = QuantMath.nearestInt((x[b + 32 * j + ii] + dm) / d);
                L[32 * j + ii] = (byte) Math.max(0, Math.min(nmax, l));
            }
        }
    }
}
