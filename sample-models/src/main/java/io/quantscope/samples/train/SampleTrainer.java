package io.quantscope.samples.train;

import io.quantscope.samples.StoryGenerator;
import io.quantscope.tensor.GgmlType;
import io.quantscope.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Trains the sample model from nothing: learns the vocabulary on generated stories, then trains a llama model on
 * fresh stories every step (so no story is seen twice and nothing is memorized), and writes the GGUF.
 *
 * <p>Usage: {@code SampleTrainer [--out FILE] [--steps N] [--log FILE.csv]}. The loss curve goes to the CSV (step,
 * loss, validation loss every 100 steps, learning rate, gradient norm, tokens/s); snapshots of the model are written
 * to the output (atomically) every 500 steps, so an interrupted run leaves a usable model.
 */
public final class SampleTrainer {
    static final String MODEL_NAME = "Quantscope Stories";
    private static final int VALIDATE_EVERY = 100;
    private static final int SNAPSHOT_EVERY = 500;

    private final TrainSettings settings;
    private final VocabTrainer.Vocab vocab;
    private final Tokenizer tokenizer;
    private final TrainableLlama model;
    private final AdamW optimizer;

    SampleTrainer(TrainSettings settings) {
        this.vocab = VocabTrainer.train(
                new StoryGenerator(settings.seed()).text(1_000_000),
                settings.shape().vocab(),
                20);
        this.settings = settings.withShape(settings.shape().withVocab(vocab.size()));
        this.tokenizer = Tokenizer.of(vocab.vocabulary());
        this.model = new TrainableLlama(this.settings.shape());
        model.initialize(settings.seed());
        this.optimizer = new AdamW(model.tensors);
    }

    /**
     * The text the vocabulary is learned from: stories joined by blank lines (so a story's first word has no space
     * before it, as inside a longer text) and as many joined by spaces (so it has, as in a prompt, where the tokenizer
     * adds one).
     */
    static String vocabularyText(long seed) {
        StoryGenerator g = new StoryGenerator(seed);
        StringBuilder b = new StringBuilder(g.text(500_000));
        while (b.length() < 1_000_000) {
            b.append(' ').append(g.story());
        }
        return b.toString();
    }

    /**
     * One training batch, the same for the same step: each sequence is BOS and the tokens of fresh stories joined by
     * blank lines (as a user's text would be), every other one starting mid-story.
     */
    int[][] batch(int step) {
        int seq = settings.shape().seq();
        int rows = settings.batch();
        int[] in = new int[rows * seq];
        int[] target = new int[rows * seq];
        for (int r = 0; r < rows; r++) {
            long seed = settings.seed() * 1_000_003L + (long) step * rows + r + 1;
            List<Integer> tokens = tokens(new StoryGenerator(seed), seq * 8);
            int offset = 0;
            if (r % 2 == 1) {
                offset = new SplittableRandom(seed).nextInt(1, tokens.size() - seq - 1);
            }
            int bos = tokenizer.vocabulary().bos();
            for (int t = 0; t < seq; t++) {
                in[r * seq + t] = t == 0 ? bos : tokens.get(offset + t);
                target[r * seq + t] = tokens.get(offset + t + 1);
            }
        }
        return new int[][] {in, target};
    }

    /** BOS and the tokens of stories from {@code g}, at least {@code chars}·1 characters' worth and 2·seq tokens. */
    private List<Integer> tokens(StoryGenerator g, int chars) {
        int seq = settings.shape().seq();
        while (true) {
            List<Integer> t = tokenizer.encode(g.text(chars), true, false);
            if (t.size() > 2 * seq + 2) {
                return t;
            }
            chars *= 2;
        }
    }

    /** Held-out sequences (another seed than any training step) for the validation loss. */
    int[][] validation(int sequences) {
        int seq = settings.shape().seq();
        List<Integer> tokens = tokenizer.encode(
                new StoryGenerator(settings.seed() + 7_777_777L).text(sequences * seq * 6), true, false);
        int[] in = new int[sequences * seq];
        int[] target = new int[sequences * seq];
        int bos = tokenizer.vocabulary().bos();
        for (int r = 0; r < sequences; r++) {
            int start = r * seq;
            for (int t = 0; t < seq; t++) {
                in[r * seq + t] = t == 0 ? bos : tokens.get(start + t);
                target[r * seq + t] = tokens.get(start + t + 1);
            }
        }
        return new int[][] {in, target};
    }

    void train(Path out, Path log) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        int[][] val = validation(16);
        System.out.printf(
                Locale.ROOT,
                "vocabulary %d tokens, %,d parameters, %d steps of %d x %d tokens%n",
                vocab.size(),
                model.parameterCount(),
                settings.steps(),
                settings.batch(),
                settings.shape().seq());
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(log))) {
            csv.println("step,loss,val_loss,lr,grad_norm,tokens_per_s");
            long started = System.nanoTime();
            for (int step = 0; step < settings.steps(); step++) {
                long t0 = System.nanoTime();
                int[][] b = batch(step);
                double loss = model.lossAndGradients(b[0], b[1]);
                float lr = settings.learningRate(step);
                double norm = optimizer.step(settings, lr);
                model.weightsChanged();
                double tps = b[0].length / ((System.nanoTime() - t0) / 1e9);
                String valLoss = "";
                boolean last = step == settings.steps() - 1;
                if (step % VALIDATE_EVERY == 0 || last) {
                    valLoss = String.format(Locale.ROOT, "%.4f", model.loss(val[0], val[1]));
                    System.out.printf(
                            Locale.ROOT,
                            "step %5d  loss %.4f  val %s  lr %.2e  |g| %.3f  %.0f tok/s" + "  %.1f min%n",
                            step,
                            loss,
                            valLoss,
                            lr,
                            norm,
                            tps,
                            (System.nanoTime() - started) / 60e9);
                }
                csv.printf(Locale.ROOT, "%d,%.4f,%s,%.3e,%.4f,%.0f%n", step, loss, valLoss, lr, norm, tps);
                csv.flush();
                if ((step + 1) % SNAPSHOT_EVERY == 0 || last) {
                    SampleGguf.write(out, model, vocab, MODEL_NAME, GgmlType.F16);
                }
            }
        }
    }

    private static int positive(String s) {
        try {
            int n = Integer.parseInt(s);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected a positive whole number, got '" + s + "'");
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of("sample-models/quantscope-stories.gguf");
        Path log = Path.of("sample-models/training-loss.csv");
        TrainSettings settings = TrainSettings.sample();
        List<String> rest = new ArrayList<>(List.of(args));
        try {
            for (int i = 0; i < rest.size(); i++) {
                switch (rest.get(i)) {
                    case "--out" -> out = Path.of(rest.get(++i));
                    case "--log" -> log = Path.of(rest.get(++i));
                    case "--steps" -> settings = settings.withSteps(positive(rest.get(++i)));
                    case "--batch" -> settings = settings.withBatch(positive(rest.get(++i)));
                    default -> throw new IllegalArgumentException("unknown option " + rest.get(i));
                }
            }
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            System.err.println("train: "
                    + (e instanceof IndexOutOfBoundsException ? "an option lacks its value" : e.getMessage()));
            System.err.println("usage: train.sh [--out FILE] [--log FILE.csv] [--steps N] [--batch N]");
            System.exit(2);
        }
        new SampleTrainer(settings).train(out, log);
    }
}
