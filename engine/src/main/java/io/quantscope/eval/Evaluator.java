package io.quantscope.eval;

import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.Session;
import io.quantscope.infer.Transformer;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * Perplexity and KL divergence of variants against a base, as llama-perplexity measures them (plain mode for the base,
 * {@code --kl-divergence} for the variants), but in one process: the base and one variant run in lockstep, batch by
 * batch, so no logits file is written. At most two models are open at a time; the base's packed log-probabilities are
 * kept between variants while they fit in {@link EvalSettings#baseCacheBytes()}, and recomputed otherwise.
 */
public final class Evaluator {
    /** Logits held per batch are capped at about this many floats. */
    private static final int LOGIT_FLOATS_PER_BATCH = 32 << 20;

    private final EvalSettings settings;

    public Evaluator(EvalSettings settings) {
        this.settings = settings;
    }

    /**
     * Evaluates {@code variants} against {@code base} over {@code text}.
     *
     * @param textLabel the text's name for the report
     * @throws IOException if a model cannot be read
     * @throws IllegalArgumentException if the text is too short or a variant's vocabulary differs from the base's
     * @throws java.util.concurrent.CancellationException when cancelled (checked after every batch)
     */
    public EvalReport run(
            Path base,
            List<Path> variants,
            String text,
            String textLabel,
            Consumer<EvalProgress> listener,
            Cancellation cancel)
            throws IOException {
        long t0 = System.nanoTime();
        try (GgufFile baseFile = GgufFile.open(base)) {
            Transformer baseModel = Transformer.of(baseFile);
            Tokenizer tokenizer = Tokenizer.of(Vocabulary.of(baseFile.metadata()));
            TextChunks chunks = new TextChunks(tokenizer, text, settings.ctx());
            int vocab = baseModel.vocabSize();
            int scored = chunks.scoredPerChunk();
            long chunkBytes = (long) scored * (vocab * 2L + 8);
            int cachedChunks = (int) Math.min(chunks.chunks(), settings.baseCacheBytes() / Math.max(1, chunkBytes));
            BaseChunk[] cache = new BaseChunk[chunks.chunks()];
            double[] baseNll = new double[2];
            List<VariantQuality> results = new ArrayList<>();
            int runs = Math.max(1, variants.size());
            for (int v = 0; v < runs; v++) {
                boolean hasVariant = !variants.isEmpty();
                Path vp = hasVariant ? variants.get(v) : base;
                try (GgufFile vf = hasVariant ? GgufFile.open(vp) : null) {
                    Transformer vm = hasVariant ? Transformer.of(vf) : null;
                    if (vm != null && vm.vocabSize() != vocab) {
                        throw new IllegalArgumentException(vp.getFileName() + " has a vocabulary of " + vm.vocabSize()
                                + " tokens; the base has " + vocab);
                    }
                    KldAccumulator acc = new KldAccumulator();
                    for (int c = 0; c < chunks.chunks(); c++) {
                        BaseChunk bc = cache[c];
                        boolean first = v == 0;
                        if (bc == null) {
                            bc = runBase(baseModel, chunks, c, first ? baseNll : null, cancel);
                            if (c < cachedChunks) {
                                cache[c] = bc;
                            }
                        }
                        if (vm != null) {
                            runVariant(vm, chunks, c, bc, acc, cancel);
                        }
                        if (listener != null) {
                            double ppl = vm != null ? acc.ppl() : Math.exp(baseNll[0] / ((c + 1.0) * scored));
                            double kld = vm != null ? acc.meanKld() : Double.NaN;
                            listener.accept(new EvalProgress(
                                    v, variants.size(), vp.getFileName().toString(), c + 1, chunks.chunks(), ppl, kld));
                        }
                    }
                    if (vm != null) {
                        results.add(acc.result(vp.getFileName().toString()));
                    }
                }
            }
            int positions = chunks.chunks() * scored;
            double mean = baseNll[0] / positions;
            double var = baseNll[1] / positions - mean * mean;
            double err = var > 0 ? Math.sqrt(var / (positions - 1)) : 0;
            double ppl = Math.exp(mean);
            return new EvalReport(
                    textLabel,
                    sha256(text),
                    chunks.tokenCount(),
                    chunks.ctx(),
                    chunks.chunks(),
                    new BaseQuality(base.getFileName().toString(), positions, ppl, ppl * err),
                    results,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The base's packed log-probabilities of one chunk's scored positions. */
    private record BaseChunk(short[] packed, float[] header) {}

    private int batchTokens(int vocab) {
        return Math.clamp(LOGIT_FLOATS_PER_BATCH / Math.max(1, vocab), 16, 512);
    }

    /**
     * Runs one chunk through {@code model} in batches and hands the logits of each scored position {@code i} to
     * {@code sink}.
     */
    private void runChunk(Transformer model, TextChunks text, int c, Cancellation cancel, LogitSink sink) {
        int[] tokens = text.chunk(c);
        int ctx = text.ctx();
        int first = text.first();
        int vocab = model.vocabSize();
        int batch = batchTokens(vocab);
        Session s = model.session(ctx, settings.threads());
        for (int b0 = 0; b0 < ctx; b0 += batch) {
            cancel.check();
            int b1 = Math.min(ctx, b0 + batch);
            int[] part = java.util.Arrays.copyOfRange(tokens, b0, b1);
            int firstOut = Math.clamp(first - b0, 0, part.length - 1);
            float[] logits = s.decode(part, firstOut);
            for (int j = firstOut; j < part.length; j++) {
                int pos = b0 + j;
                if (pos >= first && pos < ctx - 1) {
                    sink.accept(pos - first, text.next(c, pos), logits, (j - firstOut) * vocab);
                }
            }
        }
    }

    @FunctionalInterface
    private interface LogitSink {
        void accept(int scoredIndex, int nextToken, float[] logits, int off);
    }

    private BaseChunk runBase(Transformer model, TextChunks text, int c, double[] nll, Cancellation cancel) {
        int vocab = model.vocabSize();
        int scored = text.scoredPerChunk();
        short[] packed = new short[scored * vocab];
        float[] header = new float[scored * 2];
        runChunk(model, text, c, cancel, (i, next, logits, off) -> {
            LogProbs.encode(logits, off, vocab, packed, i * vocab, header, i * 2);
            if (nll != null) {
                double v = LogProbs.nll(logits, off, vocab, next);
                nll[0] += v;
                nll[1] += v * v;
            }
        });
        return new BaseChunk(packed, header);
    }

    private void runVariant(
            Transformer model, TextChunks text, int c, BaseChunk base, KldAccumulator acc, Cancellation cancel) {
        int vocab = model.vocabSize();
        runChunk(
                model,
                text,
                c,
                cancel,
                (i, next, logits, off) -> acc.add(
                        logits,
                        off,
                        vocab,
                        base.packed(),
                        i * vocab,
                        base.header()[2 * i],
                        base.header()[2 * i + 1],
                        next));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
