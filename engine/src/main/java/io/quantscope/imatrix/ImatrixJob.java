package io.quantscope.imatrix;

import io.quantscope.convert.AtomicFiles;
import io.quantscope.convert.Cancellation;
import io.quantscope.eval.LogProbs;
import io.quantscope.eval.TextChunks;
import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.Session;
import io.quantscope.infer.Transformer;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Computes an importance matrix over a text as llama-imatrix does: chunks of {@code ctx} tokens (BOS first), each run
 * in micro-batches of at most {@value #UBATCH} tokens (llama.cpp's default {@code -ub}), collecting the input of
 * every product; the perplexity of the second half of each chunk is reported along the way.
 */
public final class ImatrixJob {
    static final int UBATCH = 512;

    /** The result: the collector (for writing) and the text's perplexity. */
    public record Result(ImatrixCollector collector, int chunks, double ppl) {}

    private ImatrixJob() {}

    public static Result run(
            Path model,
            String text,
            int ctx,
            int threads,
            boolean includeOutput,
            Consumer<ImatrixProgress> listener,
            Cancellation cancel)
            throws IOException {
        try (GgufFile file = GgufFile.open(model)) {
            Transformer t = Transformer.of(file);
            Tokenizer tok = Tokenizer.of(Vocabulary.of(file.metadata()));
            TextChunks chunks = new TextChunks(tok, text, ctx);
            ImatrixCollector collector = new ImatrixCollector(includeOutput);
            int vocab = t.vocabSize();
            int first = chunks.first();
            double nll = 0;
            int count = 0;
            for (int c = 0; c < chunks.chunks(); c++) {
                int[] tokens = chunks.chunk(c);
                Session s = t.session(ctx, threads);
                s.observe(collector);
                for (int b0 = 0; b0 < ctx; b0 += UBATCH) {
                    cancel.check();
                    int b1 = Math.min(ctx, b0 + UBATCH);
                    int[] part = Arrays.copyOfRange(tokens, b0, b1);
                    int firstOut = Math.clamp(first - b0, 0, part.length - 1);
                    float[] logits = s.decode(part, firstOut);
                    for (int j = firstOut; j < part.length; j++) {
                        int pos = b0 + j;
                        if (pos >= first && pos < ctx - 1) {
                            nll += LogProbs.nll(logits, (j - firstOut) * vocab, vocab, chunks.next(c, pos));
                            count++;
                        }
                    }
                }
                if (listener != null) {
                    listener.accept(new ImatrixProgress(c + 1, chunks.chunks(), Math.exp(nll / count)));
                }
            }
            return new Result(collector, chunks.chunks(), Math.exp(nll / count));
        }
    }

    /** Writes the collected matrix to {@code out} through {@code out.partial}, renamed when complete. */
    public static void write(ImatrixCollector collector, Path out, String dataset) throws IOException {
        AtomicFiles.write(out, o -> collector.write(o, dataset));
    }
}
