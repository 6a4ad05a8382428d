package io.quantscope.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantscope.gguf.GgufArray;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Byte-level BPE on a vocabulary built here: the 256 byte symbols of GPT-2's table, a few merges and a control
 * token. Checks merge order by rank, the Llama 3 pre-tokenizer split, special tokens and round trips.
 */
class BpeTokenizerTest {
    static final String G = "\u0120"; // GPT-2's symbol for the space byte

    static Tokenizer tokenizer(String pre, List<String> merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            tokens.add(String.valueOf(printable ? (char) b : (char) (256 + countBelow(b))));
        }
        for (String m : merges) {
            tokens.add(m.replace(" ", ""));
        }
        tokens.add("<|begin_of_text|>");
        int[] types = new int[tokens.size()];
        java.util.Arrays.fill(types, Vocabulary.NORMAL);
        types[types.length - 1] = Vocabulary.CONTROL;
        GgufMetadata md = GgufMetadata.builder()
                .put("tokenizer.ggml.model", GgufValue.ofString("gpt2"))
                .put("tokenizer.ggml.pre", GgufValue.ofString(pre))
                .put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufArray.ofStrings(tokens)))
                .put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufValueType.INT32, types)))
                .put("tokenizer.ggml.merges", GgufValue.ofArray(GgufArray.ofStrings(merges)))
                .put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(tokens.size() - 1))
                .put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true))
                .build();
        return Tokenizer.of(Vocabulary.of(md));
    }

    private static int countBelow(int b) {
        int n = 0;
        for (int i = 0; i < b; i++) {
            boolean printable = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE);
            if (!printable) {
                n++;
            }
        }
        return n;
    }

    @Test
    void mergesApplyByRankNotByPosition() {
        // "h e" has the best rank, then "l l", then "he ll", then "hell o"
        Tokenizer t = tokenizer("llama-bpe", List.of("h e", "l l", "he ll", "hell o", G + " w"));
        Vocabulary v = t.vocabulary();
        assertEquals(List.of(v.id("hello")), t.encode("hello", false, false));
        // a merge of lower rank does not pre-empt a better one: "ll" forms before "he" can join "l"
        assertEquals(List.of(v.id("hello"), v.id(G + "w"), v.id("o")), t.encode("hello wo", false, false));
    }

    @Test
    void llama3SplitsDigitsInThreesAndKeepsSpecials() {
        Tokenizer t = tokenizer("llama-bpe", List.of());
        Vocabulary v = t.vocabulary();
        List<Integer> ids = t.encode("<|begin_of_text|>12345", true, true);
        assertEquals(v.bos(), ids.get(0), "BOS added");
        assertEquals(v.bos(), ids.get(1), "the special token in the text");
        assertEquals(List.of(v.id("1"), v.id("2"), v.id("3"), v.id("4"), v.id("5")), ids.subList(2, 7));
    }

    @Test
    void roundTripsArbitraryUnicode() {
        Tokenizer t = tokenizer("qwen2", List.of("h e", G + " t", "t h"));
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 1 + rnd.nextInt(25); i++) {
                int cp = switch (rnd.nextInt(4)) {
                    case 0 -> 0x20 + rnd.nextInt(0x5f);
                    case 1 -> 0xa0 + rnd.nextInt(0x1b0);
                    case 2 -> 0x4e00 + rnd.nextInt(0x200);
                    default -> 0x1f600 + rnd.nextInt(0x50);
                };
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            assertEquals(s, t.decode(t.encode(s, false, false), false));
        }
    }
}
