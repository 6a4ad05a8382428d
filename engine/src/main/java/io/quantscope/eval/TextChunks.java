package io.quantscope.eval;

import io.quantscope.tokenizer.Tokenizer;
import java.util.List;

/**
 * A text cut as llama-perplexity cuts it: tokenized once (BOS added when the vocabulary adds it), split into whole
 * chunks of {@code ctx} tokens, each chunk's first token replaced by BOS; the second half of each chunk is scored.
 */
public final class TextChunks {
    private final int ctx;
    private final int chunks;
    private final int tokenCount;
    private final int[] tokens;
    private final int bos;
    private final boolean addBos;

    public TextChunks(Tokenizer tokenizer, String text, int ctx) {
        if (ctx < 4) {
            throw new IllegalArgumentException("the context must be at least 4 tokens (got " + ctx + ")");
        }
        List<Integer> ids = tokenizer.encode(text, true, false);
        if (ids.size() < 2 * ctx) {
            throw new IllegalArgumentException("the text tokenizes to only " + ids.size() + " tokens; a context of "
                    + ctx + " needs at least " + 2 * ctx);
        }
        this.ctx = ctx;
        this.tokenCount = ids.size();
        this.chunks = ids.size() / ctx;
        this.tokens = ids.stream().mapToInt(Integer::intValue).toArray();
        this.bos = tokenizer.vocabulary().bos();
        this.addBos = tokenizer.vocabulary().addBos();
    }

    /** Tokens per chunk. */
    public int ctx() {
        return ctx;
    }

    /** Whole chunks in the text. */
    public int chunks() {
        return chunks;
    }

    /** Tokens in the whole text. */
    public int tokenCount() {
        return tokenCount;
    }

    /** The first position whose prediction is scored. */
    public int first() {
        return ctx / 2;
    }

    /** Scored positions per chunk: {@code first() .. ctx-2} predict the next token. */
    public int scoredPerChunk() {
        return ctx - 1 - first();
    }

    /** The chunk's tokens as the model sees them (BOS first when the vocabulary adds BOS). */
    public int[] chunk(int c) {
        int[] t = new int[ctx];
        System.arraycopy(tokens, c * ctx, t, 0, ctx);
        if (addBos) {
            t[0] = bos;
        }
        return t;
    }

    /** The token that follows position {@code i} of chunk {@code c} in the text. */
    public int next(int c, int i) {
        return tokens[c * ctx + i + 1];
    }
}
