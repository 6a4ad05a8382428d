package io.quantscope.infer;

import io.quantscope.convert.ComputePool;
import io.quantscope.gguf.GgufFile;
import io.quantscope.model.ModelConfig;
import io.quantscope.quant.QuantMath;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The forward pass of a decoder-only transformer (llama, qwen2, qwen3) run straight from a mapped GGUF, computed as
 * llama.cpp's CPU backend computes it: activations converted to each weight type's input format before the dot
 * products, an f16 KV cache, f16 queries and attention probabilities in the attention products.
 */
public final class Transformer {
    private final ModelConfig cfg;
    private final Matrix tokEmbd;
    private final Matrix output;
    private final float[] outputNorm;
    private final Layer[] layers;
    private final Rope rope;
    private final int vocab;

    private record Layer(
            String prefix,
            float[] attnNorm,
            Matrix wq,
            Matrix wk,
            Matrix wv,
            Matrix wo,
            float[] bq,
            float[] bk,
            float[] bv,
            float[] qNorm,
            float[] kNorm,
            float[] ffnNorm,
            Matrix gate,
            Matrix up,
            Matrix down) {}

    private Transformer(GgufFile file) {
        cfg = ModelConfig.of(file.metadata());
        tokEmbd = matrix(file, "token_embd.weight");
        output = file.tensor("output.weight").map(t -> Matrix.of(file, t)).orElse(tokEmbd);
        outputNorm = vector(file, "output_norm.weight").orElseThrow(() -> missing("output_norm.weight"));
        vocab = tokEmbd.rows();
        layers = new Layer[cfg.nLayer()];
        boolean bias = cfg.arch().qkvBias();
        boolean qk = cfg.arch().qkNorm();
        for (int l = 0; l < cfg.nLayer(); l++) {
            String p = "blk." + l + ".";
            layers[l] = new Layer(
                    p,
                    vector(file, p + "attn_norm.weight").orElseThrow(() -> missing(p + "attn_norm.weight")),
                    matrix(file, p + "attn_q.weight"),
                    matrix(file, p + "attn_k.weight"),
                    matrix(file, p + "attn_v.weight"),
                    matrix(file, p + "attn_output.weight"),
                    bias ? vector(file, p + "attn_q.bias").orElse(null) : null,
                    bias ? vector(file, p + "attn_k.bias").orElse(null) : null,
                    bias ? vector(file, p + "attn_v.bias").orElse(null) : null,
                    qk
                            ? vector(file, p + "attn_q_norm.weight")
                                    .orElseThrow(() -> missing(p + "attn_q_norm.weight"))
                            : null,
                    qk
                            ? vector(file, p + "attn_k_norm.weight")
                                    .orElseThrow(() -> missing(p + "attn_k_norm.weight"))
                            : null,
                    vector(file, p + "ffn_norm.weight").orElseThrow(() -> missing(p + "ffn_norm.weight")),
                    matrix(file, p + "ffn_gate.weight"),
                    matrix(file, p + "ffn_up.weight"),
                    matrix(file, p + "ffn_down.weight"));
        }
        float[] freqs = vector(file, "rope_freqs.weight").orElse(null);
        rope = new Rope(
                cfg.headDimK(),
                cfg.ropeDims(),
                cfg.ropeBase(),
                cfg.ropeFreqScale(),
                cfg.arch().neoxRope(),
                freqs);
    }

    /**
     * Binds the weights of an opened file.
     *
     * @throws IllegalArgumentException naming the architecture, tensor or type that cannot run
     */
    public static Transformer of(GgufFile file) {
        return new Transformer(file);
    }

    private static IllegalArgumentException missing(String name) {
        return new IllegalArgumentException("tensor '" + name + "' is missing");
    }

    private static Matrix matrix(GgufFile file, String name) {
        return Matrix.of(file, file.tensor(name).orElseThrow(() -> missing(name)));
    }

    private static Optional<float[]> vector(GgufFile file, String name) {
        return file.tensor(name).map(t -> {
            float[] v = new float[(int) t.ne(0)];
            Matrix.ofVector(file, t).row(0, v, 0);
            return v;
        });
    }

    public ModelConfig config() {
        return cfg;
    }

    public int vocabSize() {
        return vocab;
    }

    public KvCache newCache(int capacity, boolean f16) {
        return new KvCache(cfg.nLayer(), capacity, cfg.kvDimK(), cfg.kvDimV(), f16);
    }

    /** One-token steps run before a model's first batch, so that C2 compiles the one-token kernels first. */
    static final int WARM_TOKENS = 24;

    /** Warm-up steps run however long they take. */
    static final int MIN_WARM_TOKENS = 4;

    final AtomicBoolean oneTokenWarm = new AtomicBoolean();

    /**
     * Before this model's first batch of several tokens, runs {@link #WARM_TOKENS} single-token steps on a scratch
     * session (once per model). Which kernels C2 compiles first matters: the one-token kernels share the Vector API's
     * library methods, and their profiles, with the batch kernels, and compiled after a prompt batch they came out
     * 2.6× larger (Q3_K's block sums: 37.7 kB against 14.6 kB of code) and generation ran 20-21 tok/s on the 1.1B
     * Q2_K against 36-41 with the one-token steps first (BENCHMARKS.md, session 20). The steps cost about as much as
     * generating {@link #WARM_TOKENS} tokens (0.6-0.8 s on the 1.1B models; at most 1.5 s or
     * {@link #MIN_WARM_TOKENS} tokens on larger ones), once; the caller's session and its cache are not touched.
     */
    void warmOneToken(int threads) {
        if (!oneTokenWarm.compareAndSet(false, true)) {
            return;
        }
        Session s = session(WARM_TOKENS, threads);
        int token = 1 % vocab;
        long t0 = System.nanoTime();
        // a large model makes many more kernel calls per token, so a few tokens do there: stop after 1.5 s
        for (int i = 0; i < WARM_TOKENS && (i < MIN_WARM_TOKENS || System.nanoTime() - t0 < 1_500_000_000L); i++) {
            float[] logits = s.decode(new int[] {token}, false);
            token = Sampler.argmax(logits, 0, vocab);
        }
    }

    /** A sequence of up to {@code capacity} tokens with llama.cpp's default f16 KV cache. */
    public Session session(int capacity, int threads) {
        return session(capacity, threads, true);
    }

    /** A sequence with an f16 or (with {@code f16KvCache} false) an f32 KV cache. */
    public Session session(int capacity, int threads, boolean f16KvCache) {
        return new Session(this, newCache(capacity, f16KvCache), threads);
    }

    /**
     * Runs {@code tokens} at positions {@code pos0 ..} and returns the logits of tokens {@code firstOut ..} (row-major,
     * {@code (tokens.length - firstOut) × vocab}).
     */
    float[] forward(Session s, int[] tokens, int pos0, int firstOut) {
        int T = tokens.length;
        int dim = cfg.dim();
        int qDim = cfg.qDim();
        int kvK = cfg.kvDimK();
        int kvV = cfg.kvDimV();
        float[] x = new float[T * dim];
        for (int t = 0; t < T; t++) {
            if (tokens[t] < 0 || tokens[t] >= vocab) {
                throw new IllegalArgumentException(
                        "token id " + tokens[t] + " is outside the vocabulary (" + vocab + ")");
            }
            tokEmbd.row(tokens[t], x, t * dim);
        }
        float[] xb = new float[T * dim];
        float[] q = new float[T * qDim];
        float[] k = new float[T * kvK];
        float[] v = new float[T * kvV];
        float[] att = new float[T * cfg.nHead() * cfg.headDimV()];
        float[] o = new float[T * dim];
        float[] g = new float[T * cfg.ffn()];
        float[] u = new float[T * cfg.ffn()];
        float[] d = new float[T * dim];
        float[][] caches = new float[T][];
        for (int t = 0; t < T; t++) {
            caches[t] = rope.cache(pos0 + t);
        }
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            for (int t = 0; t < T; t++) {
                Ops.rmsNorm(x, t * dim, dim, L.attnNorm, cfg.eps(), xb, t * dim);
            }
            if (s.observer != null) {
                s.observer.input(L.prefix + "attn_q.weight", xb, T, dim);
                s.observer.input(L.prefix + "attn_k.weight", xb, T, dim);
                s.observer.input(L.prefix + "attn_v.weight", xb, T, dim);
            }
            s.matmul.run(xb, T, dim, new Matrix[] {L.wq, L.wk, L.wv}, new float[][] {q, k, v});
            for (int t = 0; t < T; t++) {
                addBias(q, t * qDim, L.bq);
                addBias(k, t * kvK, L.bk);
                addBias(v, t * kvV, L.bv);
                if (L.qNorm != null) {
                    for (int h = 0; h < cfg.nHead(); h++) {
                        int off = t * qDim + h * cfg.headDimK();
                        Ops.rmsNorm(q, off, cfg.headDimK(), L.qNorm, cfg.eps(), q, off);
                    }
                    for (int h = 0; h < cfg.nHeadKv(); h++) {
                        int off = t * kvK + h * cfg.headDimK();
                        Ops.rmsNorm(k, off, cfg.headDimK(), L.kNorm, cfg.eps(), k, off);
                    }
                }
                rope.apply(q, t * qDim, cfg.nHead(), caches[t]);
                rope.apply(k, t * kvK, cfg.nHeadKv(), caches[t]);
                s.cache.store(l, pos0 + t, k, t * kvK, v, t * kvV);
            }
            attention(s, l, q, att, T, pos0);
            if (s.observer != null) {
                s.observer.input(L.prefix + "attn_output.weight", att, T, cfg.nHead() * cfg.headDimV());
            }
            s.matmul.run(att, T, cfg.nHead() * cfg.headDimV(), new Matrix[] {L.wo}, new float[][] {o});
            for (int i = 0; i < T * dim; i++) {
                x[i] = o[i] + x[i];
            }
            for (int t = 0; t < T; t++) {
                Ops.rmsNorm(x, t * dim, dim, L.ffnNorm, cfg.eps(), xb, t * dim);
            }
            if (s.observer != null) {
                s.observer.input(L.prefix + "ffn_gate.weight", xb, T, dim);
                s.observer.input(L.prefix + "ffn_up.weight", xb, T, dim);
            }
            s.matmul.run(xb, T, dim, new Matrix[] {L.gate, L.up}, new float[][] {g, u});
            int ffn = cfg.ffn();
            for (int t = 0; t < T; t++) {
                Ops.silu(g, t * ffn, ffn);
            }
            for (int i = 0; i < T * ffn; i++) {
                g[i] = g[i] * u[i];
            }
            if (s.observer != null) {
                s.observer.input(L.prefix + "ffn_down.weight", g, T, ffn);
            }
            s.matmul.run(g, T, ffn, new Matrix[] {L.down}, new float[][] {d});
            for (int i = 0; i < T * dim; i++) {
                x[i] = d[i] + x[i];
            }
        }
        int first = firstOut;
        int outT = T - first;
        float[] xn = new float[outT * dim];
        for (int t = 0; t < outT; t++) {
            Ops.rmsNorm(x, (first + t) * dim, dim, outputNorm, cfg.eps(), xn, t * dim);
        }
        if (s.observer != null) {
            s.observer.input("output.weight", xn, outT, dim);
        }
        float[] logits = new float[outT * vocab];
        s.matmul.run(xn, outT, dim, new Matrix[] {output}, new float[][] {logits});
        return logits;
    }

    private static void addBias(float[] x, int off, float[] b) {
        if (b != null) {
            for (int i = 0; i < b.length; i++) {
                x[off + i] = x[off + i] + b[i];
            }
        }
    }

    /** Causal attention of each token and head over the cache, as ggml's non-flash path computes it. */
    private void attention(Session s, int layer, float[] q, float[] att, int T, int pos0) {
        int nHead = cfg.nHead();
        int hk = cfg.headDimK();
        int hv = cfg.headDimV();
        int group = nHead / cfg.nHeadKv();
        int kvK = cfg.kvDimK();
        int kvV = cfg.kvDimV();
        float scale = 1.0f / (float) Math.sqrt((float) hk);
        float[] kc = s.cache.k[layer];
        float[] vc = s.cache.v[layer];
        boolean f16 = s.cache.f16;
        int jobs = T * nHead;
        // every head on its own: the pool's spinning workers take a region within a microsecond, so even early in a
        // generation (a few positions) the second thread is cheaper than leaving it idle while one does all heads
        int parts = s.threads;
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        ComputePool.parallel(Math.min(parts, jobs), part -> {
            float[] qh = new float[hk];
            float[] sc = new float[pos0 + T];
            double[] acc = new double[hv];
            int j;
            while ((j = next.getAndIncrement()) < jobs) {
                int t = j / nHead;
                int h = j % nHead;
                int kvh = h / group;
                int n = pos0 + t + 1;
                int qo = t * cfg.qDim() + h * hk;
                for (int i = 0; i < hk; i++) {
                    qh[i] = f16 ? QuantMath.roundTripF16(q[qo + i]) : q[qo + i];
                }
                // four positions at a time: four independent sums (each in its own order, as one at a time would
                // add it), so the additions do not wait on one another
                int p0 = 0;
                for (; p0 + 4 <= n; p0 += 4) {
                    int k0 = p0 * kvK + kvh * hk;
                    int k1 = k0 + kvK;
                    int k2 = k1 + kvK;
                    int k3 = k2 + kvK;
                    double s0 = 0;
                    double s1 = 0;
                    double s2 = 0;
                    double s3 = 0;
                    for (int i = 0; i < hk; i++) {
                        float qi = qh[i];
                        s0 += (double) (qi * kc[k0 + i]);
                        s1 += (double) (qi * kc[k1 + i]);
                        s2 += (double) (qi * kc[k2 + i]);
                        s3 += (double) (qi * kc[k3 + i]);
                    }
                    sc[p0] = (float) s0;
                    sc[p0 + 1] = (float) s1;
                    sc[p0 + 2] = (float) s2;
                    sc[p0 + 3] = (float) s3;
                }
                for (int p = p0; p < n; p++) {
                    int ko = p * kvK + kvh * hk;
                    double sum = 0;
                    for (int i = 0; i < hk; i++) {
                        sum += (double) (qh[i] * kc[ko + i]);
                    }
                    sc[p] = (float) sum;
                }
                Ops.softmax(sc, 0, n, scale);
                if (f16) {
                    for (int p = 0; p < n; p++) {
                        sc[p] = QuantMath.roundTripF16(sc[p]);
                    }
                }
                int ao = t * nHead * hv + h * hv;
                // row by row through the cache (each output still sums its positions in order, so the same bits as
                // summing one output at a time, without striding down a column per output)
                java.util.Arrays.fill(acc, 0.0);
                for (int p = 0; p < n; p++) {
                    float w = sc[p];
                    int vo = p * kvV + kvh * hv;
                    for (int i = 0; i < hv; i++) {
                        acc[i] += (double) (w * vc[vo + i]);
                    }
                }
                for (int i = 0; i < hv; i++) {
                    att[ao + i] = (float) acc[i];
                }
            }
        });
    }
}
