package io.quantscope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void dryRunPredictsTheExactSizeOfTheRealFile() throws Exception {
        String src = SharedFiles.require("models/stories260K-wide-f32.gguf").toString();
        InspectCommandTest.Run dry = InspectCommandTest.run("quantize", src, "--type", "Q3_K_M", "--dry-run", "--json");
        assertEquals(0, dry.code(), dry.err());
        JsonNode plan = new ObjectMapper().readTree(dry.out());
        assertEquals(48, plan.get("tensors").size());
        assertEquals("Q5_K", findType(plan, "blk.0.attn_v.weight"));
        Path out = tmp.resolve("m.gguf");
        InspectCommandTest.Run real =
                InspectCommandTest.run("quantize", src, out.toString(), "--type", "Q3_K_M", "--json");
        assertEquals(0, real.code(), real.err());
        assertEquals(plan.get("bytes").asLong(), Files.size(out));
        assertEquals(
                Files.size(out),
                new ObjectMapper().readTree(real.out()).get("bytes").asLong());

        InspectCommandTest.Run text = InspectCommandTest.run("quantize", src, "--type", "Q3_K_M", "--dry-run");
        assertTrue(text.out().contains("bytes " + Files.size(out)), text.out());
    }

    @Test
    void failsInOneLineAndLeavesNoFile() throws Exception {
        Path out = tmp.resolve("q4_0.gguf");
        InspectCommandTest.Run r = InspectCommandTest.run(
                "quantize",
                SharedFiles.require("models/stories260K.gguf").toString(),
                out.toString(),
                "--type",
                "Q4_0");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("blk.0.ffn_down.weight"), r.err());
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(tmp.resolve("q4_0.gguf.partial")));

        InspectCommandTest.Run bad = InspectCommandTest.run(
                "quantize", SharedFiles.require("models/stories260K.gguf").toString(), out.toString(), "--type", "Q7");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown preset 'Q7'"), bad.err());
    }

    private static String findType(JsonNode plan, String name) {
        for (JsonNode t : plan.get("tensors")) {
            if (t.get("name").asText().equals(name)) return t.get("type").asText();
        }
        return null;
    }
}
