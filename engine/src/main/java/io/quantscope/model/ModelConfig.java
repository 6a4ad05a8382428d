package io.quantscope.model;

import io.quantscope.gguf.GgufMetadata;

/**
 * Every hyperparameter the forward pass needs, read from GGUF metadata with llama.cpp's defaults.
 *
 * @param headDimK {@code attention.key_length} when present, else dim / heads
 * @param ropeDims {@code rope.dimension_count} when present, else headDimK
 * @param ropeFreqScale 1 / {@code rope.scaling.factor} for linear scaling, else 1
 */
public record ModelConfig(
        Architecture arch,
        int dim,
        int nLayer,
        int nHead,
        int nHeadKv,
        int headDimK,
        int headDimV,
        int ffn,
        int contextLength,
        float ropeBase,
        int ropeDims,
        float ropeFreqScale,
        float eps) {

    public static ModelConfig of(GgufMetadata md) {
        String name = md.architecture()
                .orElseThrow(
                        () -> new IllegalArgumentException("the file names no architecture (general.architecture)"));
        Architecture arch = Architecture.of(name);
        int dim = required(md, name + ".embedding_length");
        int nLayer = required(md, name + ".block_count");
        int nHead = required(md, name + ".attention.head_count");
        int nHeadKv = (int) md.getLong(name + ".attention.head_count_kv").orElse(nHead);
        int headK = (int) md.getLong(name + ".attention.key_length").orElse(dim / nHead);
        int headV = (int) md.getLong(name + ".attention.value_length").orElse(dim / nHead);
        int ffn = required(md, name + ".feed_forward_length");
        int ctx = (int) md.getLong(name + ".context_length").orElse(2048);
        float base = (float) md.getDouble(name + ".rope.freq_base").orElse(10000.0);
        int ropeDims = (int) md.getLong(name + ".rope.dimension_count").orElse(headK);
        float freqScale = 1.0f;
        String scaling = md.getString(name + ".rope.scaling.type").orElse("none");
        if (scaling.equals("linear")) {
            double factor = md.getDouble(name + ".rope.scaling.factor").orElse(1.0);
            freqScale = factor == 0 ? 1.0f : (float) (1.0 / factor);
        } else if (!scaling.equals("none")) {
            throw new IllegalArgumentException("unsupported RoPE scaling '" + scaling + "'");
        }
        float eps =
                (float) md.getDouble(name + ".attention.layer_norm_rms_epsilon").orElse(1e-5);
        if (nHead % nHeadKv != 0) {
            throw new IllegalArgumentException(nHead + " attention heads do not divide into " + nHeadKv + " KV heads");
        }
        return new ModelConfig(
                arch, dim, nLayer, nHead, nHeadKv, headK, headV, ffn, ctx, base, ropeDims, freqScale, eps);
    }

    private static int required(GgufMetadata md, String key) {
        return (int) md.getLong(key).orElseThrow(() -> new IllegalArgumentException("missing metadata " + key));
    }

    public int qDim() {
        return nHead * headDimK;
    }

    public int kvDimK() {
        return nHeadKv * headDimK;
    }

    public int kvDimV() {
        return nHeadKv * headDimV;
    }
}
