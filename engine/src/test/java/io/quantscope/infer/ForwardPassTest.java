package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.testing.SharedFiles;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's forward pass against {@link PlainForward}, and the session's behaviour at its limits. */
class ForwardPassTest {
    static final int[] TOKENS = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315};

    @Test
    void f32LogitsOfStories260KMatchAPlainForwardPass() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            double[][] plain = new PlainForward(f).logits(TOKENS);
            Transformer t = Transformer.of(f);
            float[] batch = t.session(64, 2, false).decode(TOKENS, true);
            Session one = t.session(64, 1, false);
            int vocab = t.vocabSize();
            double worst = 0;
            for (int i = 0; i < TOKENS.length; i++) {
                float[] single = one.decode(new int[] {TOKENS[i]}, false);
                for (int v = 0; v < vocab; v++) {
                    worst = Math.max(worst, Math.abs(plain[i][v] - batch[i * vocab + v]));
                    // the batch is a lane product, one token a lane dot: the same products summed in another order
                    assertEquals(batch[i * vocab + v], single[v], 2e-5, "batched and token-by-token agree");
                }
            }
            assertTrue(worst < 1e-4, "largest logit difference " + worst);
        }
    }

    @Test
    void aFullContextIsReportedNotCrashedOn() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            Session s = Transformer.of(f).session(4, 1);
            s.decode(new int[] {1, 403, 407}, false);
            ContextFullException e =
                    assertThrows(ContextFullException.class, () -> s.decode(new int[] {261, 378}, false));
            assertTrue(e.getMessage().contains("context is full"), e.getMessage());
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            Generation g = new Generator(Transformer.of(f), tok, 1)
                    .generate("Once upon a time", 100, 8, SamplerSettings.greedy(), null, Cancellation.none());
            assertEquals("context", g.stop());
            assertEquals(8 - 5 + 1, g.tokens().size(), "fills the context, then stops");
        }
    }

    @Test
    void sameSeedSameTextAndCancelStopsWithinOneToken() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            Transformer t = Transformer.of(f);
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            Generator gen = new Generator(t, tok, 1);
            SamplerSettings s = SamplerSettings.of(0.9f, 42);
            String a = gen.generate("Once upon a time", 40, 64, s, null, Cancellation.none())
                    .text();
            String b = gen.generate("Once upon a time", 40, 64, s, null, Cancellation.none())
                    .text();
            assertEquals(a, b);
            String c = gen.generate("Once upon a time", 40, 64, SamplerSettings.of(0.9f, 43), null, Cancellation.none())
                    .text();
            assertTrue(!a.equals(c), "another seed, another text");
            Cancellation cancel = new Cancellation();
            List<TokenEvent> seen = new ArrayList<>();
            Generation g = gen.generate(
                    "Once upon a time",
                    40,
                    64,
                    s,
                    e -> {
                        seen.add(e);
                        if (seen.size() == 3) {
                            cancel.cancel();
                        }
                    },
                    cancel);
            assertEquals("cancelled", g.stop());
            assertEquals(3, g.tokens().size());
            TokenEvent e = seen.get(0);
            assertTrue(e.probability() > 0 && e.probability() <= 1);
            assertEquals(5, e.alternatives().size());
            assertTrue(e.alternatives().get(0).probability()
                    >= e.alternatives().get(4).probability());
        }
    }
}
