package io.quantscope.app.cli;

import io.quantscope.infer.SamplerSettings;
import picocli.CommandLine.Option;

/**
 * The generation options {@code generate} and {@code compare} share (mixed in, so they read and default the same):
 * how many tokens, and llama.cpp's sampler chain with its defaults.
 */
final class SamplingOptions {
    @Option(names = "-n", paramLabel = "N", description = "Tokens to generate (default 48).")
    int n = 48;

    @Option(names = "--temp", description = "Temperature; 0 (default) is greedy.")
    float temp = 0f;

    @Option(names = "--seed", description = "Random seed for sampling, the same for every model (default 1).")
    long seed = 1;

    @Option(names = "--top-k", description = "Top-k (default 40; 0 is off).")
    int topK = 40;

    @Option(names = "--top-p", description = "Top-p (default 0.95).")
    float topP = 0.95f;

    @Option(names = "--min-p", description = "Min-p (default 0.05).")
    float minP = 0.05f;

    @Option(names = "--repeat-penalty", description = "Repetition penalty (default 1.0: off).")
    float repeatPenalty = 1.0f;

    @Option(names = "--repeat-last-n", description = "Tokens the repetition penalty looks back over (default 64).")
    int repeatLastN = 64;

    /**
     * The sampler these options describe.
     *
     * @throws IllegalArgumentException naming the option that is out of range
     */
    SamplerSettings sampler() {
        if (n < 1) {
            throw new IllegalArgumentException("-n must be at least 1 (got " + n + ")");
        }
        return new SamplerSettings(temp, topK, topP, minP, repeatPenalty, repeatLastN, seed);
    }
}
