package io.quantscope.infer;

import java.util.List;

/**
 * What a generation produced.
 *
 * @param promptTokens the prompt as tokens (BOS included when added)
 * @param tokens the generated tokens
 * @param text the prompt's and the continuation's pieces joined, as llama-simple prints them
 * @param stop why it stopped: "eos", "length", "context" or "cancelled"
 */
public record Generation(
        List<Integer> promptTokens, List<Integer> tokens, String text, String stop, long promptNanos, long genNanos) {

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens.size() * 1e9 / promptNanos;
    }

    public double tokensPerSecond() {
        return genNanos == 0 || tokens.isEmpty() ? 0 : tokens.size() * 1e9 / genNanos;
    }
}
