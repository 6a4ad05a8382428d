package io.quantscope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.testing.GgufFixtures;
import io.quantscope.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = QuantscopeCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void printsTheWideModelsSummaryTensorsAndTotals() {
        Path f = SharedFiles.require("models/stories260K-wide-f32.gguf");
        Run r = run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Architecture  llama"), r.out());
        assertTrue(r.out().contains("Parameters    4,197,120"), r.out());
        assertTrue(r.out().contains("Tensors (48)"), r.out());
        assertTrue(r.out().contains("Tokenizer     SentencePiece (llama), 512 tokens"), r.out());
        assertTrue(r.out().contains("llama.attention.head_count_kv           16"), r.out());
        assertTrue(r.out().contains("  [blk.4]"), r.out());
        assertTrue(r.out().matches("(?s).*F32\\s+48 tensors\\s+4,197,120 weights.*32\\.00 bpw.*"), r.out());
        long tensorLines = r.out()
                .lines()
                .filter(l -> l.matches("  \\S+\\.weight\\s+F32 .*"))
                .count();
        assertEquals(48, tensorLines);
    }

    @Test
    void printsOneJsonDocumentWithStableFields() throws Exception {
        Path f = SharedFiles.require("golden/stories260K-wide-Q4_K_M.gguf");
        Run r = run("inspect", f.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("llama", j.get("architecture").asText());
        assertEquals("Q4_K_M", j.get("file_type").asText());
        assertEquals(4_197_120L, j.get("parameters").asLong());
        assertEquals(48, j.get("tensors").size());
        JsonNode first = j.get("tensors").get(0);
        assertEquals("output.weight", first.get("name").asText());
        assertEquals("Q6_K", first.get("type").asText());
        assertEquals("[256,512]", first.get("ne").toString());
        assertEquals(0, first.get("offset").asLong());
        assertEquals(210L * 512, first.get("bytes").asLong());
        JsonNode tokens = j.get("metadata").get("tokenizer.ggml.tokens");
        assertEquals("STRING", tokens.get("element_type").asText());
        assertEquals(512, tokens.get("length").asInt());
        assertFalse(tokens.has("value"), "long arrays are summarised");
        assertEquals(15, j.get("metadata").get("general.file_type").get("value").asInt());
        long sum = 0;
        for (JsonNode t : j.get("totals").get("by_type")) sum += t.get("bytes").asLong();
        assertEquals(j.get("totals").get("bytes").asLong(), sum);
        assertEquals(Files.size(f), j.get("file_bytes").asLong());
    }

    @Test
    void fullJsonPrintsLongArraysAndNestedOnes() throws Exception {
        Path f = GgufFixtures.write(tmp.resolve("all.gguf"), GgufFixtures.everyValueType(), GgufFixtures.someTensors());
        Run r = run("inspect", f.toString(), "--json", "--full");
        assertEquals(0, r.code(), r.err());
        JsonNode md = new ObjectMapper().readTree(r.out()).get("metadata");
        assertEquals("18446744073709551615", md.get("t.u64").get("value").asText());
        assertEquals(
                "[[1,2],[\"x\"],[[3.0]]]", md.get("t.arr.nested").get("value").toString());
        assertEquals("[false,true]", md.get("t.arr.bool").get("value").toString());
    }

    @Test
    void reportsABadFileInOneLineWithoutAStackTrace() throws Exception {
        Path bad = tmp.resolve("broken.gguf");
        byte[] real = Files.readAllBytes(SharedFiles.require("models/stories260K.gguf"));
        Files.write(bad, Arrays.copyOf(real, 777));
        Run r = run("inspect", bad.toString());
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("quantscope: " + bad + ": at byte "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());

        Run missing = run("inspect", tmp.resolve("nope.gguf").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.gguf: no such file"), missing.err());

        Run debug = run("inspect", bad.toString(), "--debug");
        assertTrue(debug.err().contains("GgufFormatException"), "--debug shows the stack trace");
    }

    @Test
    void rejectsUnknownSubcommandsAndMissingArguments() {
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run("inspect").code());
    }
}
