package io.quantscope.infer;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.model.Architecture;
import io.quantscope.model.ModelConfig;
import io.quantscope.quant.Codecs;
import java.lang.foreign.ValueLayout;

/**
 * A textbook transformer forward pass written independently of the engine, for tests: every weight expanded to
 * double, activations in double, exact exp/cos/sin, no caches beyond plain arrays. It is the yardstick the engine's
 * ggml-faithful arithmetic must stay close to.
 */
final class PlainForward {
    private final GgufFile f;
    private final ModelConfig c;

    PlainForward(GgufFile f) {
        this.f = f;
        this.c = ModelConfig.of(f.metadata());
    }

    double[][] weight(String name) {
        GgufTensorInfo t = f.tensor(name).orElseThrow();
        int cols = (int) t.ne(0);
        int rows = (int) t.rows();
        byte[] all = f.tensorData(t).toArray(ValueLayout.JAVA_BYTE);
        long rb = t.type().rowBytes(cols);
        double[][] w = new double[rows][cols];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            Codecs.of(t.type()).dequantizeRow(all, (int) (r * rb), cols, row, 0);
            for (int i = 0; i < cols; i++) {
                w[r][i] = row[i];
            }
        }
        return w;
    }

    double[] vector(String name) {
        return f.tensor(name).map(t -> weight(name)[0]).orElse(null);
    }

    static double[] matvec(double[][] w, double[] x) {
        double[] y = new double[w.length];
        for (int r = 0; r < w.length; r++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += w[r][i] * x[i];
            }
            y[r] = s;
        }
        return y;
    }

    double[] rms(double[] x, int off, int n, double[] w) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += x[off + i] * x[off + i];
        }
        double scale = 1 / Math.sqrt(ss / n + c.eps());
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = x[off + i] * scale * w[i];
        }
        return y;
    }

    void rope(double[] x, int off, int pos) {
        int nd = c.ropeDims();
        for (int i = 0; i < nd; i += 2) {
            double theta = pos * Math.pow(c.ropeBase(), -(double) i / nd);
            int a = c.arch().neoxRope() ? off + i / 2 : off + i;
            int b = c.arch().neoxRope() ? a + nd / 2 : a + 1;
            double x0 = x[a];
            double x1 = x[b];
            x[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
            x[b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
        }
    }

    /** Logits after each of {@code tokens}, rows of vocabulary size. */
    double[][] logits(int[] tokens) {
        int dim = c.dim();
        int hd = c.headDimK();
        double[][] emb = weight("token_embd.weight");
        double[][] out = f.tensor("output.weight").isPresent() ? weight("output.weight") : emb;
        int n = tokens.length;
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = emb[tokens[t]].clone();
        }
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "blk." + l + ".";
            double[][] wq = weight(p + "attn_q.weight");
            double[][] wk = weight(p + "attn_k.weight");
            double[][] wv = weight(p + "attn_v.weight");
            double[][] wo = weight(p + "attn_output.weight");
            double[] bq = vector(p + "attn_q.bias");
            double[] bk = vector(p + "attn_k.bias");
            double[] bv = vector(p + "attn_v.bias");
            double[] qn = vector(p + "attn_q_norm.weight");
            double[] kn = vector(p + "attn_k_norm.weight");
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rms(x[t], 0, dim, vector(p + "attn_norm.weight"));
                q[t] = add(matvec(wq, h), bq);
                k[t] = add(matvec(wk, h), bk);
                v[t] = add(matvec(wv, h), bv);
                if (c.arch() == Architecture.QWEN3) {
                    for (int hh = 0; hh < c.nHead(); hh++) {
                        System.arraycopy(rms(q[t], hh * hd, hd, qn), 0, q[t], hh * hd, hd);
                    }
                    for (int hh = 0; hh < c.nHeadKv(); hh++) {
                        System.arraycopy(rms(k[t], hh * hd, hd, kn), 0, k[t], hh * hd, hd);
                    }
                }
                for (int hh = 0; hh < c.nHead(); hh++) {
                    rope(q[t], hh * hd, t);
                }
                for (int hh = 0; hh < c.nHeadKv(); hh++) {
                    rope(k[t], hh * hd, t);
                }
            }
            int group = c.nHead() / c.nHeadKv();
            for (int t = 0; t < n; t++) {
                double[] att = new double[c.nHead() * hd];
                for (int h = 0; h < c.nHead(); h++) {
                    int kvh = h / group;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) {
                            d += q[t][h * hd + i] * k[j][kvh * hd + i];
                        }
                        s[j] = d / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            att[h * hd + i] += s[j] / sum * v[j][kvh * hd + i];
                        }
                    }
                }
                double[] o = matvec(wo, att);
                for (int i = 0; i < dim; i++) {
                    x[t][i] += o[i];
                }
            }
            double[][] gate = weight(p + "ffn_gate.weight");
            double[][] up = weight(p + "ffn_up.weight");
            double[][] down = weight(p + "ffn_down.weight");
            for (int t = 0; t < n; t++) {
                double[] h = rms(x[t], 0, dim, vector(p + "ffn_norm.weight"));
                double[] g = matvec(gate, h);
                double[] u = matvec(up, h);
                for (int i = 0; i < g.length; i++) {
                    g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                }
                double[] d = matvec(down, g);
                for (int i = 0; i < dim; i++) {
                    x[t][i] += d[i];
                }
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = matvec(out, rms(x[t], 0, dim, vector("output_norm.weight")));
        }
        return logits;
    }

    private static double[] add(double[] a, double[] b) {
        if (b != null) {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
        }
        return a;
    }
}
