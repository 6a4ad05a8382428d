package io.quantscope.samples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.Transformer;
import io.quantscope.samples.StoryGenerator;
import io.quantscope.tensor.GgmlType;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainableLlamaTest {
    /** Tiny, but with every feature: two layers, grouped KV heads, a vocabulary that is not a multiple of 16. */
    private static final TrainSettings.Shape TINY = new TrainSettings.Shape(16, 2, 4, 2, 24, 37, 6);

    private static int[] tokens(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    private static TrainableLlama tiny(long seed) {
        TrainableLlama m = new TrainableLlama(TINY);
        m.initialize(seed);
        // larger than the 0.02 start, so every path carries a gradient well above float noise
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (TrainableLlama.Tensor t : m.tensors) {
            for (int i = 0; i < t.w.length; i++) {
                t.w[i] = t.isMatrix() ? (float) r.nextDouble(-0.5, 0.5) : (float) r.nextDouble(0.5, 1.5);
            }
        }
        m.weightsChanged();
        return m;
    }

    @Test
    void gradientsAgreeWithFiniteDifferencesForEveryTensor() {
        TrainableLlama m = tiny(3);
        int[] in = tokens(2 * TINY.seq(), TINY.vocab(), 4);
        int[] target = tokens(2 * TINY.seq(), TINY.vocab(), 5);
        m.lossAndGradients(in, target);
        SplittableRandom pick = new SplittableRandom(6);
        float h = 1e-2f;
        for (TrainableLlama.Tensor t : m.tensors) {
            float[] analytic = t.g.clone();
            int checked = 0;
            for (int trial = 0; trial < 40 && checked < 4; trial++) {
                int i = pick.nextInt(t.w.length);
                if (Math.abs(analytic[i]) < 2e-3) {
                    continue; // e.g. embedding rows of tokens not in the batch
                }
                float w = t.w[i];
                t.w[i] = w + h;
                m.weightsChanged();
                double up = m.loss(in, target);
                t.w[i] = w - h;
                m.weightsChanged();
                double down = m.loss(in, target);
                t.w[i] = w;
                m.weightsChanged();
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, analytic[i], 2e-3 + 0.03 * Math.abs(numeric), t.name + "[" + i + "]");
                checked++;
            }
            assertTrue(checked > 0, "no weight of " + t.name + " carries a gradient");
        }
    }

    @Test
    void theWrittenGgufRunsInTheEngineWithTheSameLogits(@TempDir Path dir) throws Exception {
        TrainableLlama m = tiny(8);
        VocabTrainer.Vocab vocab = VocabTrainer.train(new StoryGenerator(1).text(20_000), 340, 5);
        TrainableLlama sized = new TrainableLlama(TINY.withVocab(vocab.size()));
        SplittableRandom r = new SplittableRandom(9);
        for (int ti = 0; ti < sized.tensors.size(); ti++) {
            TrainableLlama.Tensor t = sized.tensors.get(ti);
            for (int i = 0; i < t.w.length; i++) {
                t.w[i] = t.isMatrix() ? (float) r.nextDouble(-0.5, 0.5) : (float) r.nextDouble(0.5, 1.5);
            }
        }
        sized.weightsChanged();
        Path file = dir.resolve("tiny.gguf");
        SampleGguf.write(file, sized, vocab, "tiny", GgmlType.F32);
        int[] in = tokens(TINY.seq(), vocab.size(), 10);
        float[] ours = sized.logits(in);
        try (GgufFile f = GgufFile.open(file)) {
            float[] engine = Transformer.of(f).session(TINY.seq(), 1, false).decode(in, true);
            assertEquals(ours.length, engine.length);
            double worst = 0;
            for (int i = 0; i < ours.length; i++) {
                worst = Math.max(worst, Math.abs(ours[i] - engine[i]));
            }
            assertTrue(worst < 2e-3, "largest logit difference " + worst);
        }
        assertTrue(m.parameterCount() > 0);
    }

    @Test
    void aFewStepsOfTrainingLowerTheLossAndRepeatExactly() {
        double[] first = trainTiny();
        double[] second = trainTiny();
        assertEquals(first[0], second[0]);
        assertEquals(first[1], second[1]);
        assertTrue(first[1] < first[0] * 0.8, "loss " + first[0] + " -> " + first[1]);
    }

    private static double[] trainTiny() {
        TrainSettings s = new TrainSettings(TINY, 4, 60, 1e-2f, 1e-3f, 5, 0.1f, 0.9f, 0.95f, 1f, 11);
        TrainableLlama m = new TrainableLlama(TINY);
        m.initialize(s.seed());
        AdamW opt = new AdamW(m.tensors);
        // a learnable sequence: each token is the previous plus one
        int[] in = new int[s.batch() * TINY.seq()];
        int[] target = new int[in.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = (i * 7 + i / TINY.seq()) % TINY.vocab();
            target[i] = (in[i] + 1) % TINY.vocab();
        }
        double start = m.loss(in, target);
        for (int step = 0; step < s.steps(); step++) {
            m.lossAndGradients(in, target);
            opt.step(s, s.learningRate(step));
            m.weightsChanged();
        }
        return new double[] {start, m.loss(in, target)};
    }
}
