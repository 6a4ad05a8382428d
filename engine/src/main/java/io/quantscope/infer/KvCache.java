package io.quantscope.infer;

/**
 * Keys and values of every layer for up to {@code capacity} positions, stored as fp16 values (held in floats that
 * are exactly representable in fp16), as llama.cpp's default f16 cache holds them.
 */
public final class KvCache {
    final float[][] k;
    final float[][] v;
    private final int capacity;
    private final int kvDimK;
    private final int kvDimV;

    public KvCache(int layers, int capacity, int kvDimK, int kvDimV) {
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

    /** Bytes this cache would take as llama.cpp's f16 cache. */
    public long f16Bytes() {
        return 2L * k.length * capacity * (kvDimK + kvDimV);
    }

    void store(int layer, int pos, float[] key, int ko, float[] value, int vo) {
        for (int i = 0; i < kvDimK; i++) {
            k[layer][pos * kvDimK + i] = Ops.f16(key[ko + i]);
        }
        for (int i = 0; i < kvDimV; i++) {
            v[layer][pos * kvDimV + i] = Ops.f16(value[vo + i]);
        }
    }
}
