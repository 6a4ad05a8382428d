package io.quantscope.samples.train;

import io.quantscope.convert.ComputePool;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A llama model that can learn: forward and backward passes over a batch of token sequences in float, with the
 * weights laid out as GGUF stores them (each matrix {@code [out][in]} row-major), so they are written out unchanged.
 *
 * <p>The model is the one llama.cpp runs for {@code general.architecture = llama}: token embedding; per layer RMS norm,
 * attention with rotary positions (adjacent pairs, "normal" mode) and grouped KV heads (query head h reads KV head
 * h / (heads / kvHeads)), residual, RMS norm, SwiGLU feed-forward, residual; final RMS norm and an untied output
 * matrix. The loss is the mean cross-entropy of every position's next token.
 *
 * <p>Every reduction runs in a fixed order on one thread, so for the same weights and batch the loss and gradients
 * are the same bits whatever the thread count.
 */
final class TrainableLlama {
    static final float EPS = 1e-5f;
    static final float ROPE_BASE = 10000f;

    /** One weight tensor with its gradient: GGUF name, rows × cols (a vector has rows 1). */
    static final class Tensor {
        final String name;
        final int rows;
        final int cols;
        final float[] w;
        final float[] g;
        final float[] wT; // transpose [cols][rows] for the forward products; null for vectors and the embedding

        Tensor(String name, int rows, int cols, boolean transposed) {
            this.name = name;
            this.rows = rows;
            this.cols = cols;
            this.w = new float[rows * cols];
            this.g = new float[rows * cols];
            this.wT = transposed ? new float[rows * cols] : null;
        }

        boolean isMatrix() {
            return rows > 1;
        }
    }

    final TrainSettings.Shape shape;
    final Tensor embedding;
    final Tensor[] attnNorm;
    final Tensor[] wq;
    final Tensor[] wk;
    final Tensor[] wv;
    final Tensor[] wo;
    final Tensor[] ffnNorm;
    final Tensor[] gate;
    final Tensor[] down;
    final Tensor[] up;
    final Tensor outNorm;
    final Tensor output;
    final List<Tensor> tensors = new ArrayList<>();
    private final float[] cos;
    private final float[] sin;

    TrainableLlama(TrainSettings.Shape shape) {
        this.shape = shape;
        int d = shape.dim();
        int kv = shape.kvDim();
        int f = shape.ffn();
        int n = shape.layers();
        embedding = add(new Tensor("token_embd.weight", shape.vocab(), d, false));
        attnNorm = new Tensor[n];
        wq = new Tensor[n];
        wk = new Tensor[n];
        wv = new Tensor[n];
        wo = new Tensor[n];
        ffnNorm = new Tensor[n];
        gate = new Tensor[n];
        down = new Tensor[n];
        up = new Tensor[n];
        for (int l = 0; l < n; l++) {
            String p = "blk." + l + ".";
            attnNorm[l] = add(new Tensor(p + "attn_norm.weight", 1, d, false));
            wq[l] = add(new Tensor(p + "attn_q.weight", d, d, true));
            wk[l] = add(new Tensor(p + "attn_k.weight", kv, d, true));
            wv[l] = add(new Tensor(p + "attn_v.weight", kv, d, true));
            wo[l] = add(new Tensor(p + "attn_output.weight", d, d, true));
            ffnNorm[l] = add(new Tensor(p + "ffn_norm.weight", 1, d, false));
            gate[l] = add(new Tensor(p + "ffn_gate.weight", f, d, true));
            down[l] = add(new Tensor(p + "ffn_down.weight", d, f, true));
            up[l] = add(new Tensor(p + "ffn_up.weight", f, d, true));
        }
        outNorm = add(new Tensor("output_norm.weight", 1, d, false));
        output = add(new Tensor("output.weight", shape.vocab(), d, true));
        int hd = shape.headDim();
        cos = new float[shape.seq() * hd / 2];
        sin = new float[shape.seq() * hd / 2];
        float thetaScale = (float) Math.pow(ROPE_BASE, -2.0 / hd);
        for (int t = 0; t < shape.seq(); t++) {
            float theta = t;
            for (int i = 0; i < hd / 2; i++) {
                cos[t * hd / 2 + i] = (float) Math.cos(theta);
                sin[t * hd / 2 + i] = (float) Math.sin(theta);
                theta *= thetaScale;
            }
        }
    }

    private Tensor add(Tensor t) {
        tensors.add(t);
        return t;
    }

    /**
     * Random initial weights: matrices normal with σ = 0.02 (the residual projections attn_output and ffn_down scaled
     * by 1/√(2·layers)), norms 1.
     */
    void initialize(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Tensor t : tensors) {
            if (!t.isMatrix()) {
                java.util.Arrays.fill(t.w, 1f);
                continue;
            }
            double sigma = 0.02;
            if (t.name.endsWith("attn_output.weight") || t.name.endsWith("ffn_down.weight")) {
                sigma /= Math.sqrt(2.0 * shape.layers());
            }
            for (int i = 0; i < t.w.length; i++) {
                t.w[i] = (float) (gaussian(r) * sigma);
            }
        }
        weightsChanged();
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Refreshes the transposed copies after the weights changed. */
    void weightsChanged() {
        List<Tensor> withT = tensors.stream().filter(t -> t.wT != null).toList();
        ComputePool.parallel(withT.size(), i -> {
            Tensor t = withT.get(i);
            Gemm.transpose(t.w, t.wT, t.rows, t.cols);
        });
    }

    long parameterCount() {
        return tensors.stream().mapToLong(t -> t.w.length).sum();
    }

    /** What the forward pass keeps for the backward pass, per layer. */
    private static final class LayerCache {
        float[] xIn;
        float[] n1;
        float[] r1;
        float[] q;
        float[] k;
        float[] v;
        float[] probs;
        float[] att;
        float[] xMid;
        float[] n2;
        float[] r2;
        float[] a;
        float[] b;
        float[] h;
    }

    /** The mean next-token cross-entropy of a batch, without gradients. */
    double loss(int[] inputs, int[] targets) {
        return run(inputs, targets, false);
    }

    /** The mean next-token cross-entropy of a batch; the gradients of every tensor are set (not added). */
    double lossAndGradients(int[] inputs, int[] targets) {
        return run(inputs, targets, true);
    }

    /** What one forward pass leaves behind. */
    private static final class Forward {
        LayerCache[] caches;
        float[] x;
        float[] rf;
        float[] xf;
        float[] logits;
    }

    /** The logits of every position, n × vocab, as inference would compute them for these sequences. */
    float[] logits(int[] inputs) {
        return forward(inputs).logits;
    }

    private Forward forward(int[] inputs) {
        TrainSettings.Shape s = shape;
        int n = inputs.length;
        int d = s.dim();
        int kvd = s.kvDim();
        int f = s.ffn();
        int vocab = s.vocab();
        if (n % s.seq() != 0) {
            throw new IllegalArgumentException("a batch is whole sequences of " + s.seq() + " tokens");
        }
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(embedding.w, inputs[i] * d, x, i * d, d);
        }
        LayerCache[] caches = new LayerCache[s.layers()];
        for (int l = 0; l < s.layers(); l++) {
            LayerCache c = new LayerCache();
            caches[l] = c;
            c.xIn = x;
            c.r1 = new float[n];
            c.n1 = rmsNorm(x, attnNorm[l].w, c.r1, n, d);
            c.q = new float[n * d];
            c.k = new float[n * kvd];
            c.v = new float[n * kvd];
            Gemm.mul(c.n1, wq[l].wT, c.q, n, d, d, false);
            Gemm.mul(c.n1, wk[l].wT, c.k, n, d, kvd, false);
            Gemm.mul(c.n1, wv[l].wT, c.v, n, d, kvd, false);
            rope(c.q, n, s.heads(), false);
            rope(c.k, n, s.kvHeads(), false);
            c.probs = new float[(n / s.seq()) * s.heads() * s.seq() * s.seq()];
            c.att = new float[n * d];
            attention(c);
            float[] o = new float[n * d];
            Gemm.mul(c.att, wo[l].wT, o, n, d, d, false);
            c.xMid = new float[n * d];
            for (int i = 0; i < n * d; i++) {
                c.xMid[i] = x[i] + o[i];
            }
            c.r2 = new float[n];
            c.n2 = rmsNorm(c.xMid, ffnNorm[l].w, c.r2, n, d);
            c.a = new float[n * f];
            c.b = new float[n * f];
            Gemm.mul(c.n2, gate[l].wT, c.a, n, d, f, false);
            Gemm.mul(c.n2, up[l].wT, c.b, n, d, f, false);
            c.h = new float[n * f];
            for (int i = 0; i < n * f; i++) {
                c.h[i] = silu(c.a[i]) * c.b[i];
            }
            float[] ff = new float[n * d];
            Gemm.mul(c.h, down[l].wT, ff, n, f, d, false);
            float[] next = new float[n * d];
            for (int i = 0; i < n * d; i++) {
                next[i] = c.xMid[i] + ff[i];
            }
            x = next;
        }
        float[] rf = new float[n];
        float[] xf = rmsNorm(x, outNorm.w, rf, n, d);
        float[] logits = new float[n * vocab];
        Gemm.mul(xf, output.wT, logits, n, d, vocab, false);
        Forward fw = new Forward();
        fw.caches = caches;
        fw.x = x;
        fw.rf = rf;
        fw.xf = xf;
        fw.logits = logits;
        return fw;
    }

    private double run(int[] inputs, int[] targets, boolean backward) {
        if (targets.length != inputs.length) {
            throw new IllegalArgumentException("one target per input");
        }
        Forward fw = forward(inputs);
        TrainSettings.Shape s = shape;
        int n = inputs.length;
        int d = s.dim();
        int kvd = s.kvDim();
        int f = s.ffn();
        int vocab = s.vocab();
        float[] logits = fw.logits;
        LayerCache[] caches = fw.caches;
        float[] x = fw.x;
        float[] rf = fw.rf;
        float[] xf = fw.xf;
        // cross-entropy; logits become d loss / d logits
        double[] rowLoss = new double[n];
        float inv = 1f / n;
        int parts = Math.min(n, 64);
        ComputePool.parallel(parts, part -> {
            for (int i = n * part / parts; i < n * (part + 1) / parts; i++) {
                int o = i * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < vocab; j++) {
                    max = Math.max(max, logits[o + j]);
                }
                double sum = 0;
                for (int j = 0; j < vocab; j++) {
                    sum += Math.exp(logits[o + j] - max);
                }
                rowLoss[i] = Math.log(sum) - (logits[o + targets[i]] - max);
                for (int j = 0; j < vocab; j++) {
                    logits[o + j] = (float) (Math.exp(logits[o + j] - max) / sum) * inv;
                }
                logits[o + targets[i]] -= inv;
            }
        });
        double loss = 0;
        for (double v : rowLoss) {
            loss += v;
        }
        loss /= n;
        if (!backward) {
            return loss;
        }
        for (Tensor t : tensors) {
            java.util.Arrays.fill(t.g, 0f);
        }
        float[] dLogits = logits;
        float[] dxf = new float[n * d];
        Gemm.mul(dLogits, output.w, dxf, n, vocab, d, false);
        weightGradient(output, dLogits, xf, n);
        float[] dx = rmsNormBack(x, rf, outNorm, dxf, n, d);
        for (int l = s.layers() - 1; l >= 0; l--) {
            LayerCache c = caches[l];
            // feed-forward
            float[] dh = new float[n * f];
            Gemm.mul(dx, down[l].w, dh, n, d, f, false);
            weightGradient(down[l], dx, c.h, n);
            float[] da = new float[n * f];
            float[] db = new float[n * f];
            for (int i = 0; i < n * f; i++) {
                float a = c.a[i];
                float sg = 1f / (1f + (float) Math.exp(-a));
                db[i] = dh[i] * a * sg;
                da[i] = dh[i] * c.b[i] * sg * (1f + a * (1f - sg));
            }
            float[] dn2 = new float[n * d];
            Gemm.mul(da, gate[l].w, dn2, n, f, d, false);
            Gemm.mul(db, up[l].w, dn2, n, f, d, true);
            weightGradient(gate[l], da, c.n2, n);
            weightGradient(up[l], db, c.n2, n);
            float[] dxMid = rmsNormBack(c.xMid, c.r2, ffnNorm[l], dn2, n, d);
            for (int i = 0; i < n * d; i++) {
                dxMid[i] += dx[i];
            }
            // attention
            float[] dAtt = new float[n * d];
            Gemm.mul(dxMid, wo[l].w, dAtt, n, d, d, false);
            weightGradient(wo[l], dxMid, c.att, n);
            float[] dq = new float[n * d];
            float[] dk = new float[n * kvd];
            float[] dv = new float[n * kvd];
            attentionBack(c, dAtt, dq, dk, dv);
            rope(dq, n, s.heads(), true);
            rope(dk, n, s.kvHeads(), true);
            float[] dn1 = new float[n * d];
            Gemm.mul(dq, wq[l].w, dn1, n, d, d, false);
            Gemm.mul(dk, wk[l].w, dn1, n, kvd, d, true);
            Gemm.mul(dv, wv[l].w, dn1, n, kvd, d, true);
            weightGradient(wq[l], dq, c.n1, n);
            weightGradient(wk[l], dk, c.n1, n);
            weightGradient(wv[l], dv, c.n1, n);
            float[] dxIn = rmsNormBack(c.xIn, c.r1, attnNorm[l], dn1, n, d);
            for (int i = 0; i < n * d; i++) {
                dxIn[i] += dxMid[i];
            }
            dx = dxIn;
        }
        for (int i = 0; i < n; i++) {
            int o = inputs[i] * d;
            for (int j = 0; j < d; j++) {
                embedding.g[o + j] += dx[i * d + j];
            }
        }
        return loss;
    }

    /** t.g = dY^T · X, for Y = X · W^T with dY n×rows and X n×cols. */
    private static void weightGradient(Tensor t, float[] dy, float[] x, int n) {
        float[] dyT = new float[t.rows * n];
        Gemm.transpose(dy, dyT, n, t.rows);
        Gemm.mul(dyT, x, t.g, t.rows, n, t.cols, false);
    }

    static float silu(float a) {
        return a / (1f + (float) Math.exp(-a));
    }

    /** Returns x normalized per row times the weight; {@code r} receives each row's 1/rms. */
    private static float[] rmsNorm(float[] x, float[] weight, float[] r, int n, int d) {
        float[] y = new float[n * d];
        for (int i = 0; i < n; i++) {
            double ss = 0;
            for (int j = 0; j < d; j++) {
                float v = x[i * d + j];
                ss += v * v;
            }
            float ri = (float) (1.0 / Math.sqrt(ss / d + EPS));
            r[i] = ri;
            for (int j = 0; j < d; j++) {
                y[i * d + j] = x[i * d + j] * ri * weight[j];
            }
        }
        return y;
    }

    /** The gradient to x of y = rmsNorm(x)·w given dy; adds w's gradient to {@code norm.g}. */
    private static float[] rmsNormBack(float[] x, float[] r, Tensor norm, float[] dy, int n, int d) {
        float[] dx = new float[n * d];
        float[] w = norm.w;
        for (int i = 0; i < n; i++) {
            float ri = r[i];
            double dot = 0;
            for (int j = 0; j < d; j++) {
                float nj = x[i * d + j] * ri;
                norm.g[j] += dy[i * d + j] * nj;
                dot += (double) dy[i * d + j] * w[j] * nj;
            }
            float mean = (float) (dot / d);
            for (int j = 0; j < d; j++) {
                float nj = x[i * d + j] * ri;
                dx[i * d + j] = ri * (dy[i * d + j] * w[j] - nj * mean);
            }
        }
        return dx;
    }

    /** Rotates each head's adjacent pairs by its position's angles (or back, for gradients). */
    private void rope(float[] v, int n, int heads, boolean inverse) {
        int hd = shape.headDim();
        int half = hd / 2;
        int width = heads * hd;
        for (int i = 0; i < n; i++) {
            int t = i % shape.seq();
            for (int h = 0; h < heads; h++) {
                int o = i * width + h * hd;
                for (int p = 0; p < half; p++) {
                    float c = cos[t * half + p];
                    float sn = inverse ? -sin[t * half + p] : sin[t * half + p];
                    float x0 = v[o + 2 * p];
                    float x1 = v[o + 2 * p + 1];
                    v[o + 2 * p] = x0 * c - x1 * sn;
                    v[o + 2 * p + 1] = x0 * sn + x1 * c;
                }
            }
        }
    }

    private void attention(LayerCache c) {
        TrainSettings.Shape s = shape;
        int seq = s.seq();
        int hd = s.headDim();
        int d = s.dim();
        int kvd = s.kvDim();
        int group = s.heads() / s.kvHeads();
        int sequences = c.xIn.length / d / seq;
        float scale = (float) (1.0 / Math.sqrt(hd));
        ComputePool.parallel(sequences * s.heads(), job -> {
            int b = job / s.heads();
            int h = job % s.heads();
            int g = h / group;
            float[] p = c.probs;
            for (int t = 0; t < seq; t++) {
                int qo = (b * seq + t) * d + h * hd;
                int po = ((b * s.heads() + h) * seq + t) * seq;
                float max = Float.NEGATIVE_INFINITY;
                for (int u = 0; u <= t; u++) {
                    float sc = dot(c.q, qo, c.k, (b * seq + u) * kvd + g * hd, hd) * scale;
                    p[po + u] = sc;
                    max = Math.max(max, sc);
                }
                float sum = 0;
                for (int u = 0; u <= t; u++) {
                    float e = (float) Math.exp(p[po + u] - max);
                    p[po + u] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                int ao = (b * seq + t) * d + h * hd;
                for (int u = 0; u <= t; u++) {
                    float pu = p[po + u] * inv;
                    p[po + u] = pu;
                    int vo = (b * seq + u) * kvd + g * hd;
                    for (int e = 0; e < hd; e++) {
                        c.att[ao + e] += pu * c.v[vo + e];
                    }
                }
            }
        });
    }

    private void attentionBack(LayerCache c, float[] dAtt, float[] dq, float[] dk, float[] dv) {
        TrainSettings.Shape s = shape;
        int seq = s.seq();
        int hd = s.headDim();
        int d = s.dim();
        int kvd = s.kvDim();
        int group = s.heads() / s.kvHeads();
        int sequences = c.xIn.length / d / seq;
        float scale = (float) (1.0 / Math.sqrt(hd));
        // one job per sequence and KV head: it alone writes that head's dk and dv
        ComputePool.parallel(sequences * s.kvHeads(), job -> {
            int b = job / s.kvHeads();
            int g = job % s.kvHeads();
            float[] dp = new float[seq];
            for (int h = g * group; h < (g + 1) * group; h++) {
                for (int t = 0; t < seq; t++) {
                    int ao = (b * seq + t) * d + h * hd;
                    int po = ((b * s.heads() + h) * seq + t) * seq;
                    float rowDot = 0;
                    for (int u = 0; u <= t; u++) {
                        int vo = (b * seq + u) * kvd + g * hd;
                        dp[u] = dot(dAtt, ao, c.v, vo, hd);
                        rowDot += dp[u] * c.probs[po + u];
                        float pu = c.probs[po + u];
                        for (int e = 0; e < hd; e++) {
                            dv[vo + e] += pu * dAtt[ao + e];
                        }
                    }
                    for (int u = 0; u <= t; u++) {
                        float ds = c.probs[po + u] * (dp[u] - rowDot) * scale;
                        int ko = (b * seq + u) * kvd + g * hd;
                        for (int e = 0; e < hd; e++) {
                            dq[ao + e] += ds * c.k[ko + e];
                            dk[ko + e] += ds * c.q[ao + e];
                        }
                    }
                }
            }
        });
    }

    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int i = 0; i < n; i += 4) {
            s0 += a[ao + i] * b[bo + i];
            s1 += a[ao + i + 1] * b[bo + i + 1];
            s2 += a[ao + i + 2] * b[bo + i + 2];
            s3 += a[ao + i + 3] * b[bo + i + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
