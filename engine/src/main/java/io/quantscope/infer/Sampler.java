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
        int[] idx = topIndices(p.length, i -> p[i], k);
        List<Candidate> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(new Candidate(i, (float) p[i]));
        }
        return out;
    }

    interface Values {
        double at(int i);
    }

    /**
     * Indices of the {@code k} largest values, largest first, equal values in index order (what a stable sort of
     * every index would give), in one pass over the values.
     */
    static int[] topIndices(int n, Values v, int k) {
        k = Math.min(k, n);
        if (k > 64) {
            Integer[] all = new Integer[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            Arrays.sort(all, (a, b) -> Double.compare(v.at(b), v.at(a)));
            int[] out = new int[k];
            for (int i = 0; i < k; i++) {
                out[i] = all[i];
            }
            return out;
        }
        int[] best = new int[k];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            double x = v.at(i);
            if (filled == k && Double.compare(x, v.at(best[k - 1])) <= 0) {
                continue;
            }
            int at = filled < k ? filled++ : k - 1;
            while (at > 0 && Double.compare(x, v.at(best[at - 1])) > 0) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        return best;
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
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), n) : n;
        int[] idx = topIndices(n, i -> l[i], keep);
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
            if (cum >= settings.topP()) {
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
