package io.quantscope.eval;

import io.quantscope.infer.SamplerSettings;

/**
 * How to compare.
 *
 * @param maxTokens tokens to generate per model
 * @param sampler the sampling settings, the same for every model (greedy at temperature 0)
 * @param threads compute threads in all
 * @param memoryBudgetBytes how many bytes of model files may be open at once; variants whose files fit together run
 *     at the same time, the rest one after another
 */
public record CompareSettings(int maxTokens, SamplerSettings sampler, int threads, long memoryBudgetBytes) {
    public CompareSettings {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("generate at least one token");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1");
        }
    }
}
