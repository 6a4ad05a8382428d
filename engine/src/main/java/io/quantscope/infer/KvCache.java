package io.quantscope.infer;

import io.quantscope.quant.QuantMath;

/**
 * Keys and values of every layer for up to {@code capacity} positions. With {@code f16} (llama.cpp's default) they are
 * rounded to fp16 as they are stored, and attention then rounds queries and probabilities to fp16 too, as ggml's
 * F16 matrix products do; otherwise everything stays F32 (llama.cpp's {@code --cache-type-k/v f32}).
 */
public final class KvCache {
    final float[][] k;
    final float[][] v;
    private final int capacity;
    private final int kvDimK;
    private final int kvDimV;
    final boolean f16;

    public KvCache(int layers, int capacity, int kvDimK, int kvDimV, boolean f16) {
        this.f16 = f16;
        this.capacity = capacity;
        this.kvDimK = kvDimK;
        this.kvDimV = kvDimV;
        k = new float[layers][];
        v = new float[layers][];
        for (int l = 0; l < layers; l++) {
            k[l] = new float[capacity * kvDimK];
            v[l] = new float[capacity * kvDimV];
        }
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes llama.cpp's cache of this type takes. */
    public long bytes() {
        return (f16 ? 2L : 4L) * k.length * capacity * (kvDimK + kvDimV);
    }

    void store(int layer, int pos, float[] key, int ko, float[] value, int vo) {
        for (int i = 0; i < kvDimK; i++) {
            k[layer][pos * kvDimK + i] = f16 ? QuantMath.roundTripF16(key[ko + i]) : key[ko + i];
        }
        for (int i = 0; i < kvDimV; i++) {
            v[layer][pos * kvDimV + i] = f16 ? QuantMath.roundTripF16(value[vo + i]) : value[vo + i];
        }
    }
}
