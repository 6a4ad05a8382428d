package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The one-token steps a model runs before its first batch: only then, once, and without touching the session. */
class OneTokenWarmUpTest {
    @Test
    void aFirstBatchWarmsUpOnceAndLeavesTheSessionAsItWas() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            int[] prompt = ForwardPassTest.TOKENS;
            Transformer cold = Transformer.of(f);
            Session one = cold.session(8, 1);
            one.decode(new int[] {1}, false);
            assertFalse(cold.oneTokenWarm.get(), "single tokens do not warm up");
            Session s = cold.session(prompt.length + 1, 2);
            float[] first = s.decode(prompt, true);
            assertTrue(cold.oneTokenWarm.get(), "the first batch warms up");
            assertEquals(prompt.length, s.position(), "the warm-up runs on a session of its own");
            // the same batch on a model that warmed up before: the same logits, bit for bit
            Transformer warm = Transformer.of(f);
            warm.warmOneToken(2);
            float[] again = warm.session(prompt.length + 1, 2).decode(prompt, true);
            assertArrayEquals(again, first);
        }
    }
}
