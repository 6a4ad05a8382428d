package io.quantscope.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantscope.gguf.GgufFile;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SentencePiece tokenization of stories260K against the ids llama.cpp c392e5094's llama_tokenize returns. */
class SpmTokenizerTest {
    static Tokenizer tok;

    @BeforeAll
    static void load() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            tok = Tokenizer.of(Vocabulary.of(f.metadata()));
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "Once upon a time|1,403,407,261,378",
                "Lily's mom said: \"Don't worry!\"|1,317,439,419,357,336,467,313,455,289,439,413,263,304,420,422,443,436",
                "`  two  spaces`|1,410,410,259,424,414,410,262,427,412,331,419",
                "héllo wörld ∑ 🙂|1,270,485,306,414,263,198,185,420,341,410,229,139,148,410,243,162,156,133",
                "<s>hi</s>|1,1,270,417,2"
            })
    void tokenIdsAreLlamaCpps(String text, String ids) {
        List<Integer> expected =
                Arrays.stream(ids.split(",")).map(Integer::valueOf).toList();
        assertEquals(expected, tok.encode(text, true, true));
    }

    @Test
    void decodingUndoesEncodingForArbitraryUnicode() {
        Random rnd = new Random(7);
        int[] ranges = {0x20, 0x7e, 0xa0, 0x24f, 0x391, 0x3c9, 0x4e00, 0x4fff, 0x1f600, 0x1f64f};
        for (int trial = 0; trial < 200; trial++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(30);
            for (int i = 0; i < len; i++) {
                int r = rnd.nextInt(ranges.length / 2) * 2;
                sb.appendCodePoint(ranges[r] + rnd.nextInt(ranges[r + 1] - ranges[r] + 1));
            }
            String s = sb.toString();
            List<Integer> ids = tok.encode(s, false, false);
            // SentencePiece marks the start of text with a space
            assertEquals(" " + s, tok.decode(ids, false), "round trip of " + s);
        }
    }

    @Test
    void bosIsRenderedOnlyWhenSpecialTokensAreShown() {
        assertEquals("<s> Once", tok.decode(tok.encode("Once", true, false), true));
        assertEquals(" Once", tok.decode(tok.encode("Once", true, false), false));
    }
}
