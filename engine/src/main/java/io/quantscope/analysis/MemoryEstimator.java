package io.quantscope.analysis;

import io.quantscope.gguf.GgufHeader;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.model.ModelConfig;
import io.quantscope.recipe.Plan;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Estimates a model's memory at a context length, as it is or as a preset would make it (see {@link MemoryEstimate}). */
public final class MemoryEstimator {
    /** The fixed runtime allowance. */
    public static final long OVERHEAD_BYTES = 256L << 20;

    /** Common GPU memory sizes, in GiB. */
    public static final int[] GPU_GIB = {8, 12, 16, 24, 48, 80};

    private static final int UBATCH = 512;

    private MemoryEstimator() {}

    /**
     * @param preset the variant to estimate, or empty for the file as it is
     * @param ramBytes this machine's memory (0 to leave it out)
     * @param customBytes another budget to judge against
     */
    public static MemoryEstimate estimate(
            GgufHeader header, Optional<Preset> preset, int ctx, KvType kv, long ramBytes, OptionalLong customBytes) {
        if (ctx < 1) {
            throw new IllegalArgumentException("the context must be at least 1 token");
        }
        ModelConfig c = ModelConfig.of(header.metadata());
        long weights = preset.isPresent()
                ? Plan.of(header, QuantizeOptions.of(preset.get())).tensorBytes()
                : header.tensors().stream().mapToLong(GgufTensorInfo::byteSize).sum();
        return estimate(
                c, vocabulary(header), weights, preset.map(Preset::name).orElse(null), ctx, kv, ramBytes, customBytes);
    }

    /** The vocabulary size (rows of {@code token_embd.weight}). */
    public static long vocabulary(GgufHeader header) {
        return header.tensors().stream()
                .filter(t -> t.name().equals("token_embd.weight"))
                .findFirst()
                .map(t -> t.ne(1))
                .orElseThrow(() -> new IllegalArgumentException("tensor 'token_embd.weight' is missing"));
    }

    /**
     * The estimate from a model's shape and weight bytes already known (cheap: for sliders).
     *
     * @param preset the preset's name for the report, or null
     */
    public static MemoryEstimate estimate(
            ModelConfig c,
            long vocab,
            long weights,
            String preset,
            int ctx,
            KvType kv,
            long ramBytes,
            OptionalLong customBytes) {
        if (ctx < 1) {
            throw new IllegalArgumentException("the context must be at least 1 token");
        }
        long kvBytes = kvBytes(c, ctx, kv);
        long b = Math.min(UBATCH, ctx);
        long compute = 4 * b * c.nHead() * (long) ctx + 4 * b * (3L * c.dim() + 2L * c.ffn()) + 4 * vocab;
        long total = weights + kvBytes + compute + OVERHEAD_BYTES;
        List<MemoryEstimate.Verdict> verdicts = new ArrayList<>();
        if (ramBytes > 0) {
            verdicts.add(MemoryEstimate.Verdict.of("this machine (RAM)", ramBytes, total));
        }
        for (int g : GPU_GIB) {
            verdicts.add(MemoryEstimate.Verdict.of(g + " GB GPU", (long) g << 30, total));
        }
        customBytes.ifPresent(x -> verdicts.add(MemoryEstimate.Verdict.of("custom", x, total)));
        return new MemoryEstimate(
                preset, ctx, kv.toString(), weights, kvBytes, compute, OVERHEAD_BYTES, total, verdicts);
    }

    /** {@code n_layer × ctx × n_kv_heads × (head_dim_k·B + head_dim_v·B)}. */
    public static long kvBytes(ModelConfig c, int ctx, KvType kv) {
        long perToken = kv.bytes((long) c.nHeadKv() * c.headDimK()) + kv.bytes((long) c.nHeadKv() * c.headDimV());
        return (long) c.nLayer() * ctx * perToken;
    }
}
