package io.quantscope.infer;

import io.quantscope.convert.Cancellation;
import io.quantscope.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a prompt and streams the continuation, as llama-simple does: the prompt (with BOS when the vocabulary adds
 * it) goes through in one batch, then one token at a time until an end-of-generation token, the token limit, a full
 * context or cancellation (checked before every token).
 */
public final class Generator {
    private static final int ALTERNATIVES = 5;

    private final Transformer model;
    private final Tokenizer tokenizer;
    private final int threads;

    public Generator(Transformer model, Tokenizer tokenizer, int threads) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.threads = threads;
    }

    /** Encodes {@code prompt} (BOS added as the vocabulary says, special tokens parsed) and generates from it. */
    public Generation generate(
            String prompt,
            int maxTokens,
            int contextLength,
            SamplerSettings settings,
            Consumer<TokenEvent> listener,
            Cancellation cancel) {
        return generate(tokenizer.encode(prompt, true, true), maxTokens, contextLength, settings, listener, cancel);
    }

    /** Generates from a prompt already tokenized. */
    public Generation generate(
            List<Integer> promptTokens,
            int maxTokens,
            int contextLength,
            SamplerSettings settings,
            Consumer<TokenEvent> listener,
            Cancellation cancel) {
        if (promptTokens.isEmpty()) {
            throw new IllegalArgumentException("the prompt is empty and the model adds no BOS token");
        }
        if (promptTokens.size() >= contextLength) {
            throw new ContextFullException(0, promptTokens.size(), contextLength);
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int t : promptTokens) {
            text.writeBytes(tokenizer.piece(t, true));
        }
        Session session = model.session(contextLength, threads);
        Sampler sampler = new Sampler(settings);
        List<Integer> history = new ArrayList<>(promptTokens);
        List<Integer> out = new ArrayList<>();
        long t0 = System.nanoTime();
        cancel.check();
        float[] logits = session.decode(toArray(promptTokens), false);
        long promptNanos = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        String stop = "length";
        int vocab = model.vocabSize();
        for (int i = 0; i < maxTokens; i++) {
            if (cancel.isCancelled()) {
                stop = "cancelled";
                break;
            }
            int next = sampler.sample(logits, 0, vocab, history);
            if (tokenizer.vocabulary().isEndOfGeneration(next)) {
                stop = "eos";
                break;
            }
            byte[] piece = tokenizer.piece(next, true);
            text.writeBytes(piece);
            out.add(next);
            history.add(next);
            if (listener != null) {
                double[] p = Sampler.probabilities(logits, 0, vocab);
                listener.accept(new TokenEvent(i, next, piece, (float) p[next], Sampler.top(p, ALTERNATIVES)));
            }
            if (i + 1 == maxTokens) {
                break;
            }
            if (session.position() + 1 > session.capacity()) {
                stop = "context";
                break;
            }
            logits = session.decode(new int[] {next}, false);
        }
        long genNanos = System.nanoTime() - t1;
        return new Generation(
                List.copyOf(promptTokens),
                List.copyOf(out),
                text.toString(StandardCharsets.UTF_8),
                stop,
                promptNanos,
                genNanos);
    }

    static int[] toArray(List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }
}
