package io.quantscope.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.Generator;
import io.quantscope.infer.SamplerSettings;
import io.quantscope.infer.Transformer;
import io.quantscope.model.ModelConfig;
import io.quantscope.tensor.GgmlType;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleModelsTest {
    @Test
    void theBundledModelIsCopiedOutAndAReplacedOrDamagedCopyIsRestored(@TempDir Path cache) throws Exception {
        Path file = SampleModels.defaultModel(cache);
        assertEquals(cache.resolve(SampleModels.FILE_NAME), file);
        byte[] good = Files.readAllBytes(file);
        assertArrayEquals(good, Files.readAllBytes(Path.of(SampleModels.FILE_NAME)), "the file in sample-models/");
        Files.write(file, new byte[] {1, 2, 3});
        assertArrayEquals(good, Files.readAllBytes(SampleModels.defaultModel(cache)));
        try (var files = Files.list(cache)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void theSampleIsAnF16LlamaWhoseMatricesAllTakeKQuantsAndItTellsAStory(@TempDir Path cache) throws Exception {
        try (GgufFile f = GgufFile.open(SampleModels.defaultModel(cache))) {
            assertEquals("llama", f.metadata().architecture().orElseThrow());
            for (var t : f.tensors()) {
                if (t.nDims() == 2) {
                    assertEquals(GgmlType.F16, t.type(), t.name());
                    assertEquals(0, t.rowLength() % 256, t.name() + " rows are whole K-quant blocks");
                }
            }
            assertTrue(Files.size(SampleModels.defaultModel(cache)) < 20L << 20, "under 20 MB");
            Transformer model = Transformer.of(f);
            ModelConfig c = model.config();
            assertEquals(256, c.dim());
            Tokenizer tok = Tokenizer.of(Vocabulary.of(f.metadata()));
            List<Integer> prompt = tok.encode("Once upon a time", true, false);
            var g = new Generator(model, tok, 2)
                    .generate(
                            prompt,
                            40,
                            c.contextLength(),
                            SamplerSettings.greedy(),
                            e -> {},
                            io.quantscope.convert.Cancellation.none());
            String text = g.text();
            assertTrue(text.contains(" named ") && text.contains("."), "a story begins: " + text);
        }
    }
}
