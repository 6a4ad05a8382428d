package io.quantscope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval, compare and imatrix as a user runs them. */
class EvalCommandsTest {
    @TempDir
    Path tmp;

    private static String shared(String p) {
        return SharedFiles.require(p).toString();
    }

    @Test
    void evalPrintsTheDocumentedJsonAndSavesARecordBesideEachVariant() throws Exception {
        Path q8 = Files.copy(SharedFiles.require("golden/stories260K-wide-Q8_0.gguf"), tmp.resolve("wide-Q8_0.gguf"));
        InspectCommandTest.Run r = InspectCommandTest.run(
                "eval",
                "--base",
                shared("models/stories260K-wide-f32.gguf"),
                "--text",
                shared("data/tiny-stories-eval.txt"),
                "--ctx",
                "128",
                q8.toString(),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode v = j.get("variants").get(0);
        assertEquals("wide-Q8_0.gguf", v.get("file").asText());
        for (String f : new String[] {
            "ppl", "ppl_ratio", "kld_mean", "kld_p99", "kld_max", "same_top_p_pct", "rms_dp_pct", "kld_median"
        }) {
            assertTrue(v.get(f).isNumber(), f + " in " + v);
        }
        assertEquals(4.40, v.get("ppl").asDouble(), 0.02);
        assertEquals(4.3965, j.get("base").get("ppl").asDouble(), 0.001);
        assertEquals(8, j.get("chunks").asInt());
        assertTrue(Files.readString(tmp.resolve("wide-Q8_0.quality.json")).contains("\"same_top_p_pct\""));
        assertTrue(r.err().contains("saved " + tmp.resolve("wide-Q8_0.quality.json")), r.err());
    }

    @Test
    void evalOnATooShortTextSaysHowManyTokensItNeeds() throws Exception {
        Path text = Files.writeString(tmp.resolve("short.txt"), "Once upon a time there was a cat.");
        InspectCommandTest.Run r = InspectCommandTest.run(
                "eval",
                "--base",
                shared("models/stories260K-wide-f32.gguf"),
                "--text",
                text.toString(),
                "--ctx",
                "128",
                shared("golden/stories260K-wide-Q8_0.gguf"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("needs at least 256"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void imatrixWritesAFileQuantizeAccepts() throws Exception {
        Path out = tmp.resolve("wide.imatrix");
        InspectCommandTest.Run r = InspectCommandTest.run(
                "imatrix",
                shared("models/stories260K-wide-f32.gguf"),
                "--text",
                shared("data/tiny-stories-eval.txt"),
                "--ctx",
                "128",
                "-o",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("35 tensors, 8 chunks of 128 tokens"), r.out());
        assertEquals(35, ImportanceMatrix.read(out).entries().size());
        InspectCommandTest.Run q = InspectCommandTest.run(
                "quantize",
                shared("models/stories260K-wide-f32.gguf"),
                tmp.resolve("imx-Q4_K_M.gguf").toString(),
                "--type",
                "Q4_K_M",
                "--imatrix",
                out.toString());
        assertEquals(0, q.code(), q.err());
    }

    @Test
    void compareReportsWhereEachVariantLeavesTheBase() throws Exception {
        InspectCommandTest.Run r = InspectCommandTest.run(
                "compare",
                "--base",
                shared("models/stories260K-wide-f32.gguf"),
                "--prompt",
                "Once upon a time",
                "-n",
                "24",
                shared("golden/stories260K-wide-Q8_0.gguf"),
                shared("golden/stories260K-wide-Q2_K.gguf"),
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(24, j.get("base").get("tokens").size());
        JsonNode q2 = j.get("variants").get(1);
        assertEquals("stories260K-wide-Q2_K.gguf", q2.get("file").asText());
        assertTrue(q2.get("first_divergence").asInt() >= 0);
        assertEquals(24, q2.get("kld").size());
        assertTrue(q2.get("mean_kld").asDouble()
                > j.get("variants").get(0).get("mean_kld").asDouble());
    }

    @Test
    void memoryPrintsTheDocumentedJson() throws Exception {
        InspectCommandTest.Run r = InspectCommandTest.run(
                "memory",
                shared("models/stories260K-wide-f32.gguf"),
                "--type",
                "Q4_K_M",
                "--ctx",
                "512",
                "--kv-type",
                "q8_0",
                "--budget-gb",
                "0.25",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        long total = j.get("weights_bytes").asLong()
                + j.get("kv_bytes").asLong()
                + j.get("compute_bytes").asLong()
                + j.get("overhead_bytes").asLong();
        assertEquals(total, j.get("total_bytes").asLong());
        assertEquals("Q4_K_M", j.get("preset").asText());
        JsonNode custom = j.get("verdicts").get(j.get("verdicts").size() - 1);
        assertEquals("custom", custom.get("target").asText());
        assertEquals("does not fit", custom.get("verdict").asText(), "the fixed 256 MiB allowance alone exceeds it");
    }

    @Test
    void statsShowsATensorsErrorUnderEachTypeAndRanksPresets() throws Exception {
        InspectCommandTest.Run r = InspectCommandTest.run(
                "stats", shared("models/stories260K-wide-f32.gguf"), "--tensor", "blk.0.ffn_down.weight", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("ffn_down", j.get("tensor").get("kind").asText());
        assertEquals(10, j.get("errors").size(), "Q2_K … Q8_0");
        assertTrue(j.get("tensor").get("channels").get("top").size() > 0);

        InspectCommandTest.Run m =
                InspectCommandTest.run("stats", shared("models/stories260K-wide-f32.gguf"), "--rank", "--rows", "8");
        assertEquals(0, m.code(), m.err());
        assertTrue(m.out().contains("expected quality by preset (8 rows per tensor sampled)"), m.out());
        assertTrue(m.out().contains("kind ") && m.out().contains("ffn_down"), m.out());
    }
}
