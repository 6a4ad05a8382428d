package io.quantscope.eval;

import io.quantscope.quant.QuantMath;

/**
 * Log-probabilities of one position packed as llama-perplexity packs the base model's in its logits file: a scale, the
 * smallest kept log-probability, and 16 bits per token over the top 16 nats (anything lower is stored as the floor).
 * KL divergences and the base's figures are computed from this packed form, exactly as {@code --kl-divergence} does, so
 * our numbers agree with llama.cpp's.
 */
public final class LogProbs {
    private LogProbs() {}

    /** Natural log of the softmax's sum, as llama.cpp takes it: float exponentials summed in double. */
    static float logSumExp(float[] logits, int off, int n, float max) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (float) Math.exp(logits[off + i] - max);
        }
        return (float) Math.log(sum);
    }

    /**
     * Packs the log-softmax of {@code logits[off .. off+n)} into {@code out[outOff .. outOff+n)}; returns the
     * position's {@code {scale, minLogProb}}.
     */
    static void encode(float[] logits, int off, int n, short[] out, int outOff, float[] header, int headerOff) {
        float max = logits[off];
        float min = logits[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, logits[off + i]);
            min = Math.min(min, logits[off + i]);
        }
        min = Math.max(min, max - 16);
        float logSum = logSumExp(logits, off, n, max);
        float minLogProb = min - max - logSum;
        float scale = (max - min) / 65535f;
        header[headerOff] = scale;
        header[headerOff + 1] = minLogProb;
        if (scale != 0) {
            float inv = 1 / scale;
            for (int i = 0; i < n; i++) {
                float l = logits[off + i];
                out[outOff + i] = (short) (l > min ? QuantMath.nearestInt(inv * (l - min)) : 0);
            }
        } else {
            java.util.Arrays.fill(out, outOff, outOff + n, (short) 0);
        }
    }

    /** The packed log-probability of one token. */
    static float value(short[] packed, int i, float scale, float minLogProb) {
        return scale * (packed[i] & 0xFFFF) + minLogProb;
    }

    /** Negative log-likelihood of {@code token} from full-precision logits, as plain llama-perplexity computes it. */
    public static double nll(float[] logits, int off, int n, int token) {
        float max = logits[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (float) Math.exp(logits[off + i] - max);
        }
        return -((double) (logits[off + token] - max) - Math.log(sum));
    }
}
