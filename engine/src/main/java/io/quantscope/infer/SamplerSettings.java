package io.quantscope.infer;

/**
 * How the next token is chosen. {@code temperature <= 0} is greedy (argmax, first on ties, like llama.cpp's greedy
 * sampler). Otherwise the chain is llama.cpp's: repetition penalty over the last {@code repeatLastN} tokens, top-k,
 * top-p, min-p, temperature, then a draw from the seeded generator.
 */
public record SamplerSettings(
        float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN, long seed) {

    public static SamplerSettings greedy() {
        return new SamplerSettings(0f, 40, 0.95f, 0.05f, 1.0f, 64, 0);
    }

    /** llama.cpp's defaults with the given temperature and seed. */
    public static SamplerSettings of(float temperature, long seed) {
        return new SamplerSettings(temperature, 40, 0.95f, 0.05f, 1.0f, 64, seed);
    }

    public boolean isGreedy() {
        return temperature <= 0f;
    }

    public SamplerSettings {
        if (topK < 0 || topP <= 0 || topP > 1 || minP < 0 || minP >= 1 || repeatPenalty <= 0 || repeatLastN < 0) {
            throw new IllegalArgumentException("sampler settings out of range: top-k " + topK + ", top-p " + topP
                    + ", min-p " + minP + ", repeat penalty " + repeatPenalty + ", last n " + repeatLastN);
        }
    }
}
