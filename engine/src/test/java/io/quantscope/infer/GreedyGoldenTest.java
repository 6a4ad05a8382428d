package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.convert.Cancellation;
import io.quantscope.convert.QuantizeJob;
import io.quantscope.convert.QuantizeProgress;
import io.quantscope.gguf.GgufFile;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import io.quantscope.testing.SharedFiles;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance with llama.cpp's greedy text: for every manifest entry with a {@code greedy} entry, generating 48
 * tokens from "Once upon a time" must print what llama-simple printed, or depart from it only where the two best
 * tokens are in a near-tie that rounding decides. The goldens' floating-point order is that of one llama.cpp build;
 * llama.cpp's own x86-64 builds disagree with it on several of these tiny models (the AVX2 build prints 29 of the 34
 * shipped texts, the SSE4.2 build 25, an AVX-512 build 21), always at such near-ties. So where our text differs, the
 * test teacher-forces the golden tokens one at a time (the path generation takes) and requires: the golden token is our argmax at every position but near-ties
 * (its logit within {@value #NEAR_TIE} of our best), at most {@value #MAX_TIES} such positions, and the texts agree
 * on at least the first {@value #MIN_PREFIX} characters. BF16 goldens are not shipped; they are made here with our
 * byte-exact quantizer and checked against the manifest's size first.
 */
class GreedyGoldenTest {
    @TempDir
    static Path tmp;

    @TestFactory
    Stream<DynamicTest> everyGreedyTextIsReproduced() throws IOException {
        JsonNode manifest = new ObjectMapper()
                .readTree(SharedFiles.require("golden/manifest.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode m : manifest.get("models")) {
            JsonNode g = m.get("greedy");
            if (g == null || !g.isObject()) {
                continue;
            }
            String file = m.get("file").asText();
            String expected = g.get("text").asText();
            tests.add(DynamicTest.dynamicTest(file, () -> {
                Path model = locate(file, m.get("bytes").asLong());
                String text = generate(
                        model, g.get("prompt").asText(), g.get("n_predict").asInt());
                if (!text.equals(expected)) {
                    departsOnlyAtNearTies(model, expected, text);
                }
            }));
        }
        assertTrue(tests.size() >= 30, "the manifest has greedy texts");
        return tests.stream();
    }

    static final float NEAR_TIE = 0.2f;
    static final int MAX_TIES = 3;
    /**
     * Characters a departing text must share with the golden one. One-token steps accumulate dot products in float
     * lanes as llama.cpp's SIMD builds do, in a grouping of their own, so a near-tie can fall the other way early:
     * stories260K-wide-Q2_K departs after 47 characters at a gap of 0.0002 between its two best tokens.
     */
    static final int MIN_PREFIX = 40;

    private static void departsOnlyAtNearTies(Path model, String expected, String ours) throws IOException {
        int common = 0;
        while (common < Math.min(expected.length(), ours.length()) && expected.charAt(common) == ours.charAt(common)) {
            common++;
        }
        assertTrue(common >= MIN_PREFIX, "texts agree on only " + common + " characters:\n" + expected + ours);
        try (GgufFile f = GgufFile.open(model)) {
            Transformer t = Transformer.of(f);
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            String body =
                    expected.substring("<s>".length(), expected.length() - 1).stripLeading();
            List<Integer> ids = tok.encode(body, true, true);
            Session s = t.session(ids.size() + 1, 2);
            int vocab = t.vocabSize();
            // teacher-forced one token at a time, the path generation takes (a prompt batch rounds otherwise)
            float[] logits = new float[ids.size() * vocab];
            for (int i = 0; i < ids.size(); i++) {
                System.arraycopy(s.decode(new int[] {ids.get(i)}, false), 0, logits, i * vocab, vocab);
            }
            int prompt = tok.encode("Once upon a time", true, true).size();
            int ties = 0;
            String oursBody = ours.substring("<s>".length()).stripLeading();
            for (int i = prompt - 1; i < ids.size() - 1; i++) {
                int golden = ids.get(i + 1);
                int best = Sampler.argmax(logits, i * vocab, vocab);
                if (best != golden) {
                    float gap = logits[i * vocab + best] - logits[i * vocab + golden];
                    assertTrue(
                            gap < NEAR_TIE,
                            "position " + i + ": golden token " + golden + " is " + gap + " below our best " + best
                                    + ", not a near-tie");
                    ties++;
                }
                // past the token where the texts part, the golden text follows the other branch of the tie (and may
                // not even re-tokenize as llama.cpp generated it), so there is nothing more to compare
                String upTo = tok.decode(ids.subList(0, i + 2), false).stripLeading();
                if (!oursBody.startsWith(upTo)) {
                    break;
                }
            }
            assertTrue(ties <= MAX_TIES, ties + " near-ties");
        }
    }

    static String generate(Path model, String prompt, int n) throws IOException {
        try (GgufFile f = GgufFile.open(model)) {
            Transformer t = Transformer.of(f);
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            Generation g = new Generator(t, tok, 2)
                    .generate(prompt, n, 128, SamplerSettings.greedy(), null, Cancellation.none());
            return g.text() + "\n";
        }
    }

    private static Path locate(String file, long bytes) throws IOException {
        Path golden = SharedFiles.require().resolve("golden").resolve(file);
        if (Files.exists(golden)) {
            return golden;
        }
        Path source = SharedFiles.require().resolve("models").resolve(file);
        if (Files.exists(source)) {
            return source;
        }
        // BF16 variants: not shipped, made here from the F32 source
        boolean wide = file.startsWith("stories260K-wide-");
        Path src = SharedFiles.require(wide ? "models/stories260K-wide-f32.gguf" : "models/stories260K.gguf");
        Path out = tmp.resolve(file);
        if (!Files.exists(out)) {
            QuantizeJob.run(
                    src,
                    out,
                    QuantizeOptions.of(Preset.parse("BF16").orElseThrow()),
                    2,
                    QuantizeProgress.Listener.none(),
                    Cancellation.none());
        }
        assertEquals(bytes, Files.size(out), "our BF16 file has the manifest's size");
        return out;
    }
}
