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

    Session(Transformer model, KvCache cache, int threads) {
        this.model = model;
        this.cache = cache;
        this.threads = Math.max(1, threads);
        this.matmul = new Matmul(this.threads);
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
        if (position + tokens.length > cache.capacity()) {
            throw new ContextFullException(position, tokens.length, cache.capacity());
        }
        float[] logits = model.forward(this, tokens, position, allLogits);
        position += tokens.length;
        return logits;
    }
}
