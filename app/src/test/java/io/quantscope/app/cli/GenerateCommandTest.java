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
    void splitCharactersAreHeldUntilComplete() {
        Utf8Pieces p = new Utf8Pieces();
        byte[] smile = "🙂".getBytes(StandardCharsets.UTF_8);
        assertEquals("a", p.add(new byte[] {'a', smile[0], smile[1]}));
        assertEquals("🙂b", p.add(new byte[] {smile[2], smile[3], 'b'}));
        assertEquals("", p.rest());
    }
}
