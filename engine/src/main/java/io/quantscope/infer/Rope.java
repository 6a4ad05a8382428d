package io.quantscope.infer;

/**
 * Rotary position embedding as ggml_rope_ext computes it without YaRN: {@code θ = pos}, multiplied by
 * {@code powf(base, −2/n_dims)} once per pair (float, cumulatively), divided by the optional per-pair frequency
 * factors, cosine and sine in float. Normal mode rotates adjacent pairs (llama); NeoX mode rotates the two halves
 * (qwen2, qwen3).
 */
public final class Rope {
    private final int headDim;
    private final int nDims;
    private final boolean neox;
    private final float freqScale;
    private final float thetaScale;
    private final float[] freqFactors;

    public Rope(int headDim, int nDims, float base, float freqScale, boolean neox, float[] freqFactors) {
        this.headDim = headDim;
        this.nDims = nDims;
        this.neox = neox;
        this.freqScale = freqScale;
        this.thetaScale = (float) StrictMath.pow(base, -2.0f / nDims);
        this.freqFactors = freqFactors;
    }

    /** cos/sin pairs for one position ({@code headDim} floats: cos at even, sin at odd indices). */
    public float[] cache(int pos) {
        float[] cache = new float[headDim];
        float theta = pos;
        for (int i0 = 0; i0 < headDim; i0 += 2) {
            float ff = freqFactors != null && i0 / 2 < freqFactors.length ? freqFactors[i0 / 2] : 1.0f;
            float t = freqScale * (theta / ff);
            cache[i0] = (float) StrictMath.cos(t);
            cache[i0 + 1] = (float) StrictMath.sin(t);
            theta *= thetaScale;
        }
        return cache;
    }

    /** Rotates {@code heads} heads of {@code headDim} values starting at {@code x[off]} in place. */
    public void apply(float[] x, int off, int heads, float[] cache) {
        for (int h = 0; h < heads; h++) {
            int o = off + h * headDim;
            for (int i0 = 0; i0 < nDims; i0 += 2) {
                float cos = cache[i0];
                float sin = cache[i0 + 1];
                int a;
                int b;
                if (neox) {
                    a = o + i0 / 2;
                    b = a + nDims / 2;
                } else {
                    a = o + i0;
                    b = a + 1;
                }
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * cos - x1 * sin;
                x[b] = x0 * sin + x1 * cos;
            }
        }
    }
}
