package io.quantscope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufHeader;
import io.quantscope.tensor.GgmlType;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Llama-3 shapes carry a byte-level BPE vocabulary laid out as Llama 3's, which our tokenizer runs. */
class SyntheticVocabularyTest {
    private static final GgufHeader LLAMA32 = SyntheticModel.header(ModelShape.llama32_1b(), GgmlType.F16);

    @Test
    void llama3ShapesCarryLlama3sTokenLayout() {
        Vocabulary v = Vocabulary.of(LLAMA32.metadata());
        assertEquals("gpt2", v.model());
        assertEquals("llama-bpe", v.pre());
        assertEquals(128256, v.size());
        assertEquals(128000, v.bos());
        assertEquals(128001, v.eos());
        assertEquals(128009, v.id("<|eot_id|>"));
        assertEquals(128006, v.id("<|start_header_id|>"));
        assertEquals(128008, v.id("<|reserved_special_token_4|>"));
        assertEquals(128255, v.id("<|reserved_special_token_250|>"));
        assertEquals(Vocabulary.CONTROL, v.type(128000));
        assertEquals(Vocabulary.NORMAL, v.type(127999));
        assertEquals(
                500000.0, LLAMA32.metadata().getDouble("llama.rope.freq_base").orElseThrow());
        assertTrue(LLAMA32.tensors().stream().noneMatch(t -> t.name().equals("output.weight")), "tied output");
    }

    @Test
    void mergesReplayByRank() {
        Tokenizer t = Tokenizer.of(Vocabulary.of(LLAMA32.metadata()));
        Vocabulary v = t.vocabulary();
        // Ranks: level two ("Ġh" 7, "el" 141, "lo" 326, "ll" 323) come before level three ("Ġhe" 888), and pieces
        // only ever grow by one letter on the right, so " hello" ends as Ġh + el + lo.
        List<Integer> ids = t.encode(" hello", true, false);
        assertEquals(List.of(128000, v.id("\u0120h"), v.id("el"), v.id("lo")), ids);
        String text = "Once upon a time, 42 naïve 猫 ran — fast!\n\tend";
        assertEquals(text, t.decode(t.encode(text, false, false), false));
    }
}
