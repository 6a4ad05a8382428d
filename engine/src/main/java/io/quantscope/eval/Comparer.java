package io.quantscope.eval;

import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.Generation;
import io.quantscope.infer.Generator;
import io.quantscope.infer.Sampler;
import io.quantscope.infer.Transformer;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the same prompt through a base and its variants and says where and how much each variant departs: its own
 * continuation (same sampler settings and seed), the first token where it leaves the base's text, and — teacher-forced
 * along the base's continuation, so every variant is judged on the same tokens — per-token KL divergence and top-1
 * agreement. The base runs first; variants whose files fit together in the memory budget then run at the same time
 * (threads shared out), the others one after another.
 */
public final class Comparer {
    private final CompareSettings settings;

    public Comparer(CompareSettings settings) {
        this.settings = settings;
    }

    /** The base's log-probabilities at each of its continuation tokens, teacher-forced. */
    private record Reference(List<Integer> prompt, List<Integer> tokens, float[] logProbs, int[] argmax, int vocab) {}

    public CompareReport run(
            Path base, List<Path> variants, String prompt, CompareListener listener, Cancellation cancel)
            throws IOException {
        Reference ref;
        ModelRun baseRun;
        try (GgufFile f = GgufFile.open(base)) {
            Transformer t = Transformer.of(f);
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            List<Integer> promptTokens = tok.encode(prompt, true, true);
            Generation g = generate(t, tok, promptTokens, 0, settings.threads(), listener, cancel);
            cancel.check();
            float[] logits = teacherForce(t, promptTokens, g.tokens(), settings.threads());
            int vocab = t.vocabSize();
            int n = g.tokens().size();
            float[] lp = new float[n * vocab];
            int[] argmax = new int[n];
            for (int i = 0; i < n; i++) {
                logSoftmax(logits, i * vocab, vocab, lp, i * vocab);
                argmax[i] = Sampler.argmax(logits, i * vocab, vocab);
            }
            ref = new Reference(promptTokens, g.tokens(), lp, argmax, vocab);
            baseRun = new ModelRun(
                    base.getFileName().toString(),
                    continuation(tok, g),
                    g.tokens(),
                    g.stop(),
                    g.tokensPerSecond(),
                    -1,
                    new double[n],
                    filled(n),
                    0,
                    100);
            if (listener != null) {
                listener.finished(0, baseRun);
            }
        }
        List<ModelRun> runs = new ArrayList<>();
        for (List<Integer> group : groups(variants)) {
            runs.addAll(runGroup(group, variants, ref, listener, cancel));
        }
        return new CompareReport(prompt, ref.prompt(), baseRun, runs);
    }

    /** Consecutive variants whose files fit together in the budget (a variant larger than the budget runs alone). */
    private List<List<Integer>> groups(List<Path> variants) throws IOException {
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> cur = new ArrayList<>();
        long used = 0;
        for (int i = 0; i < variants.size(); i++) {
            long size = Files.size(variants.get(i));
            if (!cur.isEmpty() && used + size > settings.memoryBudgetBytes()) {
                groups.add(cur);
                cur = new ArrayList<>();
                used = 0;
            }
            cur.add(i);
            used += size;
        }
        if (!cur.isEmpty()) {
            groups.add(cur);
        }
        return groups;
    }

    private List<ModelRun> runGroup(
            List<Integer> group, List<Path> variants, Reference ref, CompareListener listener, Cancellation cancel)
            throws IOException {
        if (group.size() == 1) {
            return List.of(
                    runVariant(group.get(0), variants.get(group.get(0)), ref, settings.threads(), listener, cancel));
        }
        int threads = Math.max(1, settings.threads() / group.size());
        ExecutorService exec = Executors.newFixedThreadPool(group.size(), r -> {
            Thread th = new Thread(r, "quantscope-compare");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<ModelRun>> futures = new ArrayList<>();
            for (int i : group) {
                futures.add(exec.submit(() -> runVariant(i, variants.get(i), ref, threads, listener, cancel)));
            }
            List<ModelRun> out = new ArrayList<>();
            for (Future<ModelRun> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    cancel.cancel();
                    switch (e.getCause()) {
                        case IOException io -> throw io;
                        case UncheckedIOException u -> throw u.getCause();
                        case RuntimeException re -> throw re;
                        default -> throw new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel.cancel();
                    throw new java.util.concurrent.CancellationException("interrupted");
                }
            }
            return out;
        } finally {
            exec.shutdownNow();
        }
    }

    private ModelRun runVariant(
            int index, Path file, Reference ref, int threads, CompareListener listener, Cancellation cancel)
            throws IOException {
        try (GgufFile f = GgufFile.open(file)) {
            Transformer t = Transformer.of(f);
            if (t.vocabSize() != ref.vocab()) {
                throw new IllegalArgumentException(file.getFileName() + " has a vocabulary of " + t.vocabSize()
                        + " tokens; the base has " + ref.vocab());
            }
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            Generation g = generate(t, tok, ref.prompt(), index + 1, threads, listener, cancel);
            cancel.check();
            int n = ref.tokens().size();
            int vocab = ref.vocab();
            double[] kld = new double[n];
            boolean[] same = new boolean[n];
            double sumKld = 0;
            int agree = 0;
            if (n > 0) {
                float[] logits = teacherForce(t, ref.prompt(), ref.tokens(), threads);
                float[] lq = new float[vocab];
                for (int i = 0; i < n; i++) {
                    logSoftmax(logits, i * vocab, vocab, lq, 0);
                    double k = 0;
                    for (int v = 0; v < vocab; v++) {
                        double lb = ref.logProbs()[i * vocab + v];
                        k += Math.exp(lb) * (lb - lq[v]);
                    }
                    kld[i] = Math.max(0, k);
                    same[i] = Sampler.argmax(logits, i * vocab, vocab) == ref.argmax()[i];
                    sumKld += kld[i];
                    agree += same[i] ? 1 : 0;
                }
            }
            ModelRun run = new ModelRun(
                    file.getFileName().toString(),
                    continuation(tok, g),
                    g.tokens(),
                    g.stop(),
                    g.tokensPerSecond(),
                    firstDivergence(ref.tokens(), g.tokens()),
                    kld,
                    same,
                    n == 0 ? 0 : sumKld / n,
                    n == 0 ? 100 : 100.0 * agree / n);
            if (listener != null) {
                listener.finished(index + 1, run);
            }
            return run;
        }
    }

    private Generation generate(
            Transformer t,
            Tokenizer tok,
            List<Integer> prompt,
            int model,
            int threads,
            CompareListener listener,
            Cancellation cancel) {
        int ctx = Math.min(t.config().contextLength(), prompt.size() + settings.maxTokens() + 1);
        return new Generator(t, tok, threads)
                .generate(
                        prompt,
                        settings.maxTokens(),
                        ctx,
                        settings.sampler(),
                        listener == null ? null : e -> listener.token(model, e),
                        cancel);
    }

    /** Logits after the prompt and each continuation token but the last: row i predicts {@code tokens[i]}. */
    private static float[] teacherForce(Transformer t, List<Integer> prompt, List<Integer> tokens, int threads) {
        if (tokens.isEmpty()) {
            return new float[0];
        }
        int[] all = new int[prompt.size() + tokens.size() - 1];
        for (int i = 0; i < prompt.size(); i++) {
            all[i] = prompt.get(i);
        }
        for (int i = 0; i < tokens.size() - 1; i++) {
            all[prompt.size() + i] = tokens.get(i);
        }
        return t.session(all.length, threads).decode(all, prompt.size() - 1);
    }

    static int firstDivergence(List<Integer> base, List<Integer> other) {
        int n = Math.min(base.size(), other.size());
        for (int i = 0; i < n; i++) {
            if (!base.get(i).equals(other.get(i))) {
                return i;
            }
        }
        return base.size() == other.size() ? -1 : n;
    }

    private static void logSoftmax(float[] logits, int off, int n, float[] out, int outOff) {
        float max = logits[off];
        for (int i = 1; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        double log = Math.log(sum);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) (logits[off + i] - max - log);
        }
    }

    private static String continuation(Tokenizer tok, Generation g) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int id : g.tokens()) {
            b.writeBytes(tok.piece(id, true));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static boolean[] filled(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }
}
