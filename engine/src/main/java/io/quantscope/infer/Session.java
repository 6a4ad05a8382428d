package io.quantscope.infer;

/**
 * One sequence being run: its KV cache, the number of positions filled, and scratch buffers. Not thread-safe; the
 * {@link Transformer} it runs on can serve many sessions.
 */
public final class Session {
    final Transformer model;
    final KvCache cache;
    final Matmul matmul;
    final int threads;
    private int position;
    ActivationObserver observer;

    Session(Transformer model, KvCache cache, int threads) {
        this.model = model;
        this.cache = cache;
        this.threads = Math.max(1, threads);
        this.matmul = new Matmul(this.threads);
    }

    /** Sees the input of every weight matrix product from now on ({@code null} to stop). */
    public void observe(ActivationObserver observer) {
        this.observer = observer;
    }

    public int position() {
        return position;
    }

    public int capacity() {
        return cache.capacity();
    }

    /**
     * Runs {@code tokens} after what the session holds and returns the last token's logits (or every token's with
     * {@code allLogits}).
     *
     * @throws ContextFullException when the tokens do not fit in the session's context
     */
    public float[] decode(int[] tokens, boolean allLogits) {
        return decode(tokens, allLogits ? 0 : tokens.length - 1);
    }

    /**
     * Runs {@code tokens} after what the session holds and returns the logits of {@code tokens[firstOut ..]}
     * ({@code (tokens.length - firstOut) × vocab}, row-major): prompt scoring needs only the positions it scores.
     *
     * @throws ContextFullException when the tokens do not fit in the session's context
     */
    public float[] decode(int[] tokens, int firstOut) {
        if (tokens.length == 0 || firstOut < 0 || firstOut >= tokens.length) {
            throw new IllegalArgumentException(
                    "no logits to return: " + tokens.length + " tokens, first output " + firstOut);
        }
        if (position + tokens.length > cache.capacity()) {
            throw new ContextFullException(position, tokens.length, cache.capacity());
        }
        if (tokens.length > 1) {
            model.warmOneToken(threads);
        }
        float[] logits = model.forward(this, tokens, position, firstOut);
        position += tokens.length;
        return logits;
    }
}
