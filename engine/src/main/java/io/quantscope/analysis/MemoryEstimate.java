package io.quantscope.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What running a model costs in memory, and whether it fits.
 *
 * @param weightsBytes tensor data: the file's, or the quantization plan's for a preset (the dry run's tensor bytes)
 * @param kvBytes KV cache: {@code n_layer × ctx × n_kv_heads × (head_dim_k·B + head_dim_v·B)}, B per element of the KV
 *     type (2 for f16, 34/32 for q8_0, 18/32 for q4_0)
 * @param computeBytes working buffers of one micro-batch of {@code b = min(512, ctx)} tokens: attention scores
 *     {@code 4·b·n_head·ctx}, activations {@code 4·b·(3·n_embd + 2·n_ff)}, and the last token's logits
 *     {@code 4·n_vocab}
 * @param overheadBytes a fixed allowance for the runtime (code, thread stacks, tokenizer, file mapping tables)
 * @param totalBytes the sum
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MemoryEstimate(
        String preset,
        int ctx,
        String kvType,
        long weightsBytes,
        long kvBytes,
        long computeBytes,
        long overheadBytes,
        long totalBytes,
        List<Verdict> verdicts) {

    public MemoryEstimate {
        verdicts = List.copyOf(verdicts);
    }

    /** Against one memory size: "fits" (at most 90% used), "tight" (over 90%) or "does not fit". */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Verdict(String target, long budgetBytes, double usedPct, String verdict) {
        public static Verdict of(String target, long budget, long total) {
            double used = 100.0 * total / budget;
            String v = used > 100 ? "does not fit" : used > 90 ? "tight" : "fits";
            return new Verdict(target, budget, used, v);
        }
    }
}
