package io.quantscope.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Picks tokens from logits as {@link SamplerSettings} say; deterministic for a seed. */
public final class Sampler {
    private final SamplerSettings settings;
    private final SplittableRandom random;

    public Sampler(SamplerSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
    }

    /** A token with its probability under the full softmax of the logits. */
    public record Candidate(int id, float probability) {}

    /** Index of the largest logit (the first on ties). */
    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > logits[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Softmax probabilities of the logits (double accumulation). */
    public static double[] probabilities(float[] logits, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(logits[off + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The {@code k} most probable tokens, most probable first. */
    public static List<Candidate> top(double[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
        List<Candidate> out = new ArrayList<>(k);
        for (int i = 0; i < Math.min(k, idx.length); i++) {
            out.add(new Candidate(idx[i], (float) p[idx[i]]));
        }
        return out;
    }

    /** Chooses the next token given the logits and the tokens so far (for the repetition penalty). */
    public int sample(float[] logits, int off, int n, List<Integer> history) {
        if (settings.isGreedy()) {
            return argmax(logits, off, n);
        }
        float[] l = Arrays.copyOfRange(logits, off, off + n);
        if (settings.repeatPenalty() != 1.0f) {
            int from = Math.max(0, history.size() - settings.repeatLastN());
            boolean[] seen = new boolean[n];
            for (int i = from; i < history.size(); i++) {
                int t = history.get(i);
                if (t >= 0 && t < n && !seen[t]) {
                    seen[t] = true;
                    l[t] = l[t] <= 0 ? l[t] * settings.repeatPenalty() : l[t] / settings.repeatPenalty();
                }
            }
        }
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Float.compare(l[b], l[a]));
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), n) : n;
        double[] p = new double[keep];
        double max = l[idx[0]];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(l[idx[i]] - max);
            sum += p[i];
        }
        double cum = 0;
        int topP = keep;
        for (int i = 0; i < keep; i++) {
            cum += p[i] / sum;
            if (cum >= settings.topP() && i + 1 >= 1) {
                topP = i + 1;
                break;
            }
        }
        int kept = 0;
        for (int i = 0; i < topP; i++) {
            if (p[i] / p[0] >= settings.minP()) {
                kept = i + 1;
            }
        }
        double[] w = new double[kept];
        double total = 0;
        for (int i = 0; i < kept; i++) {
            w[i] = Math.exp((l[idx[i]] - max) / settings.temperature());
            total += w[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < kept; i++) {
            r -= w[i];
            if (r <= 0) {
                return idx[i];
            }
        }
        return idx[kept - 1];
    }
}
