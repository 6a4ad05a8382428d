package io.quantscope.recipe;

import io.quantscope.gguf.GgufMetadata;

/**
 * The hyperparameters llama-quantize's type rules look at, read from GGUF metadata.
 *
 * <p>{@link #nGqa()} is attention heads per KV head (n_head / n_head_kv of layer 0).
 */
public record ModelHparams(String arch, int nLayer, int nHead, int nHeadKv, int nExpert) {

    public static ModelHparams of(GgufMetadata md) {
        String arch = md.architecture().orElse("unknown");
        int nLayer = (int) md.getLong(arch + ".block_count").orElse(0);
        int nHead = firstInt(md, arch + ".attention.head_count", 0);
        int nHeadKv = firstInt(md, arch + ".attention.head_count_kv", nHead);
        int nExpert = (int) md.getLong(arch + ".expert_count").orElse(0);
        return new ModelHparams(arch, nLayer, nHead, nHeadKv, nExpert);
    }

    private static int firstInt(GgufMetadata md, String key, int fallback) {
        var v = md.getLong(key);
        if (v.isPresent()) return (int) v.getAsLong();
        return md.getArray(key)
                .filter(a -> a.length() > 0)
                .map(a -> (int) a.getLong(0))
                .orElse(fallback);
    }

    public int nGqa() {
        return nHeadKv == 0 ? 0 : nHead / nHeadKv;
    }

    public boolean isFalcon() {
        return arch.equals("falcon");
    }

    /** llama.cpp's LLM_TYPE_70B (80-layer llama with grouped-query attention), which gets bigger attention V types. */
    public boolean is70B() {
        return arch.equals("llama") && nLayer == 80 && nHead != nHeadKv;
    }
}
