package io.quantscope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.testing.SharedFiles;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GenerateCommandTest {
    @Test
    void printsWhatLlamaSimplePrintsForTheF16Golden() throws Exception {
        String model = SharedFiles.require("golden/stories260K-wide-F16.gguf").toString();
        JsonNode manifest = new ObjectMapper()
                .readTree(SharedFiles.require("golden/manifest.json").toFile());
        String expected = null;
        for (JsonNode m : manifest.get("models")) {
            if (m.get("file").asText().equals("stories260K-wide-F16.gguf")) {
                expected = m.get("greedy").get("text").asText();
            }
        }
        InspectCommandTest.Run r =
                InspectCommandTest.run("generate", model, "--prompt", "Once upon a time", "-n", "48", "--temp", "0");
        assertEquals(0, r.code(), r.err());
        assertEquals(expected, r.out());
        assertTrue(r.err().contains("generated: 48 tokens"), r.err());
    }

    @Test
    void benchReportsBothSpeedsAsJson() throws Exception {
        String model = SharedFiles.require("models/stories260K.gguf").toString();
        InspectCommandTest.Run r = InspectCommandTest.run("bench", model, "-p", "16", "-n", "8", "-r", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("pp_tok_s").asDouble() > 0);
        assertTrue(j.get("tg_tok_s").asDouble() > 0);
        assertTrue(j.get("warmup_rounds").asInt() >= 2, "warms up until steady by default: " + r.out());
    }

    @Test
    void benchRunsTheWarmUpRoundsAskedFor() throws Exception {
        String model = SharedFiles.require("models/stories260K.gguf").toString();
        InspectCommandTest.Run r =
                InspectCommandTest.run("bench", model, "-p", "8", "-n", "4", "-r", "1", "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 warm-up rounds"), r.out());
        assertTrue(!r.out().contains("until steady"), r.out());
        InspectCommandTest.Run bad = InspectCommandTest.run("bench", model, "--warmup", "soon");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--warmup takes auto or a number"), bad.err());
    }

    @Test
    void anUnsupportedFileIsAOneLineError() {
        String model = SharedFiles.require("golden/stories260K-wide.imatrix").toString();
        InspectCommandTest.Run r = InspectCommandTest.run("generate", model, "--prompt", "x");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("quantscope: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void samplingOptionsAreSharedAndChecked() {
        String model = SharedFiles.require("models/stories260K.gguf").toString();
        String[] sampled = {
            "--prompt",
            "Once",
            "-n",
            "12",
            "--temp",
            "0.8",
            "--top-k",
            "5",
            "--top-p",
            "0.9",
            "--min-p",
            "0.1",
            "--repeat-penalty",
            "1.1",
            "--repeat-last-n",
            "16",
            "--seed",
            "42"
        };
        InspectCommandTest.Run a = InspectCommandTest.run(concat("generate", model, sampled));
        InspectCommandTest.Run b = InspectCommandTest.run(concat("generate", model, sampled));
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out(), "the same seed samples the same text");
        sampled[sampled.length - 1] = "43";
        InspectCommandTest.Run c = InspectCommandTest.run(concat("generate", model, sampled));
        assertTrue(!a.out().equals(c.out()), "another seed samples another text: " + a.out());
        InspectCommandTest.Run bad =
                InspectCommandTest.run("compare", "--base", model, model, "--prompt", "x", "--top-p", "1.5");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("top-p 1.5"), bad.err());
        InspectCommandTest.Run none = InspectCommandTest.run("generate", model, "--prompt", "x", "-n", "0");
        assertTrue(none.err().contains("-n must be at least 1"), none.err());
    }

    @Test
    void storiesPrintsTheBuiltInTextOrAnother() {
        InspectCommandTest.Run builtIn = InspectCommandTest.run("stories");
        assertEquals(0, builtIn.code(), builtIn.err());
        assertEquals(
                io.quantscope.samples.StoryGenerator.builtInEvalText(),
                builtIn.out().strip());
        InspectCommandTest.Run other = InspectCommandTest.run("stories", "--chars", "20000", "--seed", "5");
        assertTrue(other.out().length() >= 20000 && other.out().startsWith("Once upon a time"), other.out());
        assertTrue(!other.out().startsWith(builtIn.out().strip()));
    }

    private static String[] concat(String command, String model, String[] rest) {
        String[] all = new String[rest.length + 2];
        all[0] = command;
        all[1] = model;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    @Test
    void splitCharactersAreHeldUntilComplete() {
        Utf8Pieces p = new Utf8Pieces();
        byte[] smile = "🙂".getBytes(StandardCharsets.UTF_8);
        assertEquals("a", p.add(new byte[] {'a', smile[0], smile[1]}));
        assertEquals("🙂b", p.add(new byte[] {smile[2], smile[3], 'b'}));
        assertEquals("", p.rest());
    }
}
