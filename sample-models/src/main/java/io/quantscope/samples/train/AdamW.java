package io.quantscope.samples.train;

import io.quantscope.convert.ComputePool;
import java.util.List;

/**
 * AdamW with global gradient-norm clipping. Weight decay applies to matrices only (not to norm weights). Each
 * tensor's update is independent, so the result does not depend on the thread count.
 */
final class AdamW {
    private final List<TrainableLlama.Tensor> tensors;
    private final float[][] m;
    private final float[][] v;
    private int t;

    AdamW(List<TrainableLlama.Tensor> tensors) {
        this.tensors = tensors;
        m = new float[tensors.size()][];
        v = new float[tensors.size()][];
        for (int i = 0; i < tensors.size(); i++) {
            m[i] = new float[tensors.get(i).w.length];
            v[i] = new float[tensors.get(i).w.length];
        }
    }

    /** Applies one update from the tensors' gradients; returns the gradient norm before clipping. */
    double step(TrainSettings s, float lr) {
        double sq = 0;
        for (TrainableLlama.Tensor x : tensors) {
            double part = 0;
            for (float g : x.g) {
                part += (double) g * g;
            }
            sq += part;
        }
        double norm = Math.sqrt(sq);
        float clip = norm > s.clip() ? (float) (s.clip() / norm) : 1f;
        t++;
        float b1 = s.beta1();
        float b2 = s.beta2();
        float c1 = (float) (1 - Math.pow(b1, t));
        float c2 = (float) (1 - Math.pow(b2, t));
        ComputePool.parallel(tensors.size(), i -> {
            TrainableLlama.Tensor x = tensors.get(i);
            float decay = x.isMatrix() ? 1f - lr * s.weightDecay() : 1f;
            float[] w = x.w;
            float[] g = x.g;
            float[] mi = m[i];
            float[] vi = v[i];
            for (int j = 0; j < w.length; j++) {
                float gj = g[j] * clip;
                mi[j] = b1 * mi[j] + (1 - b1) * gj;
                vi[j] = b2 * vi[j] + (1 - b2) * gj * gj;
                float mh = mi[j] / c1;
                float vh = vi[j] / c2;
                w[j] = w[j] * decay - lr * mh / ((float) Math.sqrt(vh) + 1e-8f);
            }
        });
        return norm;
    }
}
