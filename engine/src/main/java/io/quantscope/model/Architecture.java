package io.quantscope.model;

import java.util.List;
import java.util.Locale;

/**
 * What distinguishes one decoder-only architecture from another over the shared blocks (RMSNorm, RoPE, grouped-query
 * attention with a KV cache, SwiGLU): how RoPE pairs dimensions, whether Q/K/V carry biases, whether Q and K are
 * RMS-normalised per head before RoPE. Adding an architecture is adding one constant here (and, if it needs a new
 * block, one method in {@code infer.Transformer}).
 */
public enum Architecture {
    /** Llama 2 / 3.x, TinyLlama, Mistral, SmolLM: RoPE on adjacent pairs, optional rope_freqs (Llama 3.1+). */
    LLAMA("llama", false, false, false),
    /** Qwen2 / Qwen2.5: NeoX RoPE (halves), biases on Q, K and V. */
    QWEN2("qwen2", true, true, false),
    /** Qwen3: NeoX RoPE, per-head RMSNorm of Q and K before RoPE, no biases. */
    QWEN3("qwen3", true, false, true);

    private final String ggufName;
    private final boolean neoxRope;
    private final boolean qkvBias;
    private final boolean qkNorm;

    Architecture(String ggufName, boolean neoxRope, boolean qkvBias, boolean qkNorm) {
        this.ggufName = ggufName;
        this.neoxRope = neoxRope;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public String ggufName() {
        return ggufName;
    }

    public boolean neoxRope() {
        return neoxRope;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    public boolean qkNorm() {
        return qkNorm;
    }

    /** @throws IllegalArgumentException naming the supported architectures */
    public static Architecture of(String ggufName) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(ggufName)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unsupported architecture '" + ggufName + "' (Quantscope runs "
                + List.of(values()).stream().map(Architecture::ggufName).toList() + ")");
    }

    @Override
    public String toString() {
        return ggufName.toLowerCase(Locale.ROOT);
    }
}
