package io.quantscope.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.SamplerSettings;
import io.quantscope.infer.TokenEvent;
import io.quantscope.infer.Transformer;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparerTest {
    private static final String PROMPT = "Once upon a time";

    @TempDir
    Path tmp;

    private static Path base() {
        return SharedFiles.require("models/stories260K-wide-f32.gguf");
    }

    private static Path golden(String preset) {
        return SharedFiles.require("golden/stories260K-wide-" + preset + ".gguf");
    }

    private static CompareReport compare(List<Path> variants, long budget, CompareListener l) throws IOException {
        return new Comparer(new CompareSettings(32, SamplerSettings.greedy(), 2, budget))
                .run(base(), variants, PROMPT, l, Cancellation.none());
    }

    @Test
    void aCopyOfTheBaseNeverDepartsAndQ2KDoes() throws IOException {
        Path copy = Files.copy(base(), tmp.resolve("copy.gguf"));
        CompareReport r = compare(List.of(copy, golden("Q2_K")), Long.MAX_VALUE, null);
        ModelRun same = r.variants().get(0);
        assertEquals(r.base().tokens(), same.tokens());
        assertEquals(-1, same.firstDivergence());
        assertEquals(0, same.meanKld(), 1e-9);
        assertEquals(100, same.sameTopPct());
        ModelRun q2 = r.variants().get(1);
        assertTrue(q2.firstDivergence() >= 0 && q2.firstDivergence() < 32, "Q2_K leaves the text: " + q2.text());
        assertTrue(q2.meanKld() > 0.1, "Q2_K's mean KLD " + q2.meanKld());
        assertTrue(q2.sameTopPct() < 100);
        assertEquals(32, q2.kld().length);
        assertTrue(
                r.base().text().startsWith(","),
                "the continuation, without the prompt: " + r.base().text());
    }

    /** The per-token KLD against a direct computation from the two models' logits along the base's text. */
    @Test
    void perTokenKldIsTheDivergenceAlongTheBasesText() throws IOException {
        CompareReport r = compare(List.of(golden("Q4_0")), Long.MAX_VALUE, null);
        ModelRun v = r.variants().get(0);
        int[] seq = new int[r.promptTokens().size() + r.base().tokens().size() - 1];
        int k = 0;
        for (int t : r.promptTokens()) seq[k++] = t;
        for (int i = 0; i < r.base().tokens().size() - 1; i++)
            seq[k++] = r.base().tokens().get(i);
        float[] lb;
        float[] lq;
        try (GgufFile b = GgufFile.open(base());
                GgufFile q = GgufFile.open(golden("Q4_0"))) {
            lb = Transformer.of(b).session(64, 1).decode(seq, true);
            lq = Transformer.of(q).session(64, 1).decode(seq, true);
        }
        int vocab = lb.length / seq.length;
        int p0 = r.promptTokens().size() - 1;
        for (int i = 0; i < v.kld().length; i++) {
            double[] pb = softmax(lb, (p0 + i) * vocab, vocab);
            double[] pq = softmax(lq, (p0 + i) * vocab, vocab);
            double kld = 0;
            for (int j = 0; j < vocab; j++) {
                kld += pb[j] * Math.log(pb[j] / pq[j]);
            }
            assertEquals(kld, v.kld()[i], 1e-5 + 1e-4 * kld, "token " + i);
        }
    }

    private static double[] softmax(float[] l, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, l[off + i]);
        double[] p = new double[n];
        double s = 0;
        for (int i = 0; i < n; i++) s += p[i] = Math.exp(l[off + i] - max);
        for (int i = 0; i < n; i++) p[i] /= s;
        return p;
    }

    @Test
    void togetherOrOneAfterAnotherGiveTheSameResultsAndStreamEveryToken() throws IOException {
        List<Path> variants = List.of(golden("Q8_0"), golden("Q4_K_M"), golden("Q3_K_S"));
        Map<Integer, List<Integer>> streamed = new ConcurrentHashMap<>();
        AtomicInteger finished = new AtomicInteger();
        Map<Integer, Long> threads = new ConcurrentHashMap<>();
        CompareListener l = new CompareListener() {
            @Override
            public void token(int model, TokenEvent e) {
                streamed.computeIfAbsent(model, m -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(e.id());
                threads.put(model, Thread.currentThread().threadId());
            }

            @Override
            public void finished(int model, ModelRun run) {
                finished.incrementAndGet();
            }
        };
        CompareReport together = compare(variants, Long.MAX_VALUE, l);
        assertEquals(4, finished.get());
        assertEquals(together.base().tokens(), streamed.get(0));
        for (int i = 0; i < 3; i++) {
            assertEquals(together.variants().get(i).tokens(), streamed.get(i + 1));
        }
        assertEquals(
                3,
                java.util.Set.of(threads.get(1), threads.get(2), threads.get(3)).size(),
                "the three variants ran at the same time, each on its own thread");
        CompareReport alone = compare(variants, 0, null);
        for (int i = 0; i < 3; i++) {
            ModelRun a = together.variants().get(i);
            ModelRun b = alone.variants().get(i);
            assertEquals(a.tokens(), b.tokens(), a.file());
            assertArrayEquals(a.kld(), b.kld(), 1e-12, a.file());
        }
    }

    @Test
    void cancelStopsAfterTheCurrentToken() {
        Cancellation c = new Cancellation();
        AtomicInteger tokens = new AtomicInteger();
        CompareListener l = (model, e) -> {
            tokens.incrementAndGet();
            c.cancel();
        };
        assertThrows(
                CancellationException.class,
                () -> new Comparer(new CompareSettings(32, SamplerSettings.greedy(), 2, Long.MAX_VALUE))
                        .run(base(), List.of(golden("Q8_0")), PROMPT, l, c));
        assertEquals(1, tokens.get());
    }
}
