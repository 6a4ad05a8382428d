package io.quantscope.imatrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.convert.Cancellation;
import io.quantscope.convert.QuantizeJob;
import io.quantscope.convert.QuantizeProgress;
import io.quantscope.eval.EvalReport;
import io.quantscope.eval.EvalSettings;
import io.quantscope.eval.Evaluator;
import io.quantscope.eval.VariantQuality;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importance matrix of stories260K-wide over the shared eval text at ctx 128 against llama-imatrix's golden.
 *
 * <p>Same entries and chunk count, exactly. Values: the inputs of the first layer's Q/K/V products (the normed
 * embeddings) do not depend on any float order and must be equal; deeper ones differ by float order, amplified where an
 * f16 KV-cache rounding flips. The golden was made by a build with AVX-512 sums (llama.cpp c392e5094 built
 * {@code -march=native} here reproduces it exactly); the same commit's AVX2 build differs from it by up to 2.8e-4
 * relative and its SSE4.2 build by 5.6e-4. We follow ggml's generic order and differ by at most 6.4e-4 (mean 3e-5).
 * The test holds us to 1e-3 per value and 1e-4 on average, and to what the matrix is for: variants quantized with it
 * have KLD within 5% of the {@code imx-} goldens'.
 */
class ImatrixGoldenTest {
    @TempDir
    static Path tmp;

    private static ImportanceMatrix golden;
    private static ImportanceMatrix ours;
    private static Path oursFile;
    private static ImatrixJob.Result result;

    @BeforeAll
    static void compute() throws IOException {
        golden = ImportanceMatrix.read(SharedFiles.require("golden/stories260K-wide.imatrix"));
        Path text = SharedFiles.require("data/tiny-stories-eval.txt");
        result = ImatrixJob.run(
                SharedFiles.require("models/stories260K-wide-f32.gguf"),
                Files.readString(text),
                128,
                2,
                false,
                null,
                Cancellation.none());
        oursFile = tmp.resolve("ours.imatrix");
        ImatrixJob.write(result.collector(), oursFile, "tiny-stories-eval.txt");
        ours = ImportanceMatrix.read(oursFile);
    }

    @Test
    void sameEntriesAndChunks() {
        assertEquals(golden.entries().keySet(), ours.entries().keySet());
        assertEquals(golden.chunks(), ours.chunks());
        assertEquals(8, ours.chunks());
        assertEquals("tiny-stories-eval.txt", ours.dataset().orElseThrow());
        assertFalse(Files.exists(tmp.resolve("ours.imatrix.partial")));
    }

    @Test
    void valuesAgreeWithTheGolden() {
        double worst = 0;
        double sum = 0;
        int n = 0;
        for (var e : golden.entries().entrySet()) {
            float[] g = e.getValue();
            float[] o = ours.entries().get(e.getKey());
            assertEquals(g.length, o.length, e.getKey());
            for (int j = 0; j < g.length; j++) {
                double rel = Math.abs(o[j] - g[j]) / Math.abs(g[j]);
                assertTrue(rel <= 1e-3, e.getKey() + "[" + j + "]: " + o[j] + " vs " + g[j]);
                worst = Math.max(worst, rel);
                sum += rel;
                n++;
            }
        }
        assertTrue(sum / n <= 1e-4, "mean relative difference " + sum / n + " (worst " + worst + ")");
        for (String t : List.of("attn_q", "attn_k", "attn_v")) {
            String name = "blk.0." + t + ".weight";
            float[] g = golden.entries().get(name);
            float[] o = ours.entries().get(name);
            for (int j = 0; j < g.length; j++) {
                assertEquals(g[j], o[j], 1e-6f * Math.abs(g[j]), name + "[" + j + "]");
            }
        }
    }

    @Test
    void theWrittenFileReadsBackAsCollected() {
        ImportanceMatrix m = result.collector().toMatrix("tiny-stories-eval.txt");
        assertEquals(m.entries().keySet(), ours.entries().keySet());
        for (var e : m.entries().entrySet()) {
            assertArrayEquals(e.getValue(), ours.entries().get(e.getKey()), 1e-6f, e.getKey());
        }
        assertEquals(4.3965, result.ppl(), 0.005, "the base's perplexity on the text, as llama-perplexity gives it");
    }

    @Test
    void variantsQuantizedWithItMatchTheImxGoldensKld() throws IOException {
        JsonNode manifest = new ObjectMapper()
                .readTree(SharedFiles.require("golden/manifest.json").toFile());
        Map<String, Double> expected = new LinkedHashMap<>();
        for (JsonNode m : manifest.get("models")) {
            String file = m.get("file").asText();
            if (file.startsWith("stories260K-wide-imx-") && m.get("eval").has("kld_mean")) {
                expected.put(file, m.get("eval").get("kld_mean").asDouble());
            }
        }
        assertEquals(7, expected.size());
        Path src = SharedFiles.require("models/stories260K-wide-f32.gguf");
        List<Path> variants = new ArrayList<>();
        for (String file : expected.keySet()) {
            String preset = file.substring("stories260K-wide-imx-".length(), file.length() - ".gguf".length());
            Path out = tmp.resolve(file);
            QuantizeJob.run(
                    src,
                    out,
                    QuantizeOptions.of(Preset.parse(preset).orElseThrow()).withImatrix(ours, "ours.imatrix"),
                    2,
                    QuantizeProgress.Listener.none(),
                    Cancellation.none());
            variants.add(out);
        }
        Path text = SharedFiles.require("data/tiny-stories-eval.txt");
        EvalReport r = new Evaluator(EvalSettings.of(128, 2))
                .run(src, variants, Files.readString(text), "tiny-stories-eval.txt", null, Cancellation.none());
        for (VariantQuality q : r.variants()) {
            double x = expected.get(q.file());
            assertEquals(x, q.kldMean(), 0.05 * x, q.file());
        }
    }

    @Test
    void cancellingStopsTheRun() throws IOException {
        Cancellation c = new Cancellation();
        Path text = SharedFiles.require("data/tiny-stories-eval.txt");
        List<Integer> seen = new ArrayList<>();
        try {
            ImatrixJob.run(
                    SharedFiles.require("models/stories260K-wide-f32.gguf"),
                    Files.readString(text),
                    128,
                    2,
                    false,
                    p -> {
                        seen.add(p.chunk());
                        c.cancel();
                    },
                    c);
            throw new AssertionError("not cancelled");
        } catch (CancellationException expected) {
            assertEquals(List.of(1), seen);
        }
    }
}
