package io.quantscope.samples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.samples.StoryGenerator;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
import java.util.List;
import org.junit.jupiter.api.Test;

class VocabTrainerTest {
    private static final String TEXT = SampleTrainer.vocabularyText(5).substring(0, 60_000) + " "
            + SampleTrainer.vocabularyText(5).substring(500_000, 560_000);

    @Test
    void layoutIsWhatLlamaCppExpectsOfASentencePieceVocabulary() {
        VocabTrainer.Vocab v = VocabTrainer.train(TEXT, 600, 5);
        assertEquals(600, v.size());
        assertEquals("<unk>", v.tokens()[0]);
        assertEquals("<s>", v.tokens()[1]);
        assertEquals("</s>", v.tokens()[2]);
        assertEquals("<0x00>", v.tokens()[3]);
        assertEquals("<0x0A>", v.tokens()[3 + 10]);
        assertEquals(Vocabulary.BYTE, v.types()[3 + 255]);
        assertEquals(Vocabulary.CONTROL, v.types()[1]);
        java.util.Set<String> distinct = new java.util.HashSet<>(List.of(v.tokens()));
        assertEquals(v.size(), distinct.size(), "token texts are unique");
        for (int i = VocabTrainer.FIRST_LEARNED + 1; i < v.size(); i++) {
            assertTrue(v.scores()[i] < v.scores()[i - 1], "scores fall with the merge rank at " + i);
        }
        assertTrue(distinct.contains("\u2581Once"), "a frequent word is one piece");
    }

    @Test
    void textRoundTripsAndFrequentWordsAreSingleTokens() {
        VocabTrainer.Vocab v = VocabTrainer.train(TEXT, 800, 5);
        Tokenizer t = Tokenizer.of(v.vocabulary());
        String sample = new StoryGenerator(99).text(2000) + "\nA zebra \u00e9t\u00e9 42!";
        List<Integer> ids = t.encode(sample, false, false);
        assertEquals(sample, t.decode(ids, false).stripLeading());
        List<Integer> once = t.encode("Once upon a time", false, false);
        assertEquals(4, once.size(), "one token per word: " + once);
        // characters the text never had fall back to bytes
        List<Integer> accent = t.encode("\u00e9", false, false);
        assertTrue(accent.stream().anyMatch(id -> v.types()[id] == Vocabulary.BYTE), accent.toString());
        // compression: learned merges make far fewer tokens than characters
        assertTrue(ids.size() * 3 < sample.length(), ids.size() + " tokens for " + sample.length() + " chars");
    }

    @Test
    void theSameTextGivesTheSameVocabulary() {
        VocabTrainer.Vocab a = VocabTrainer.train(TEXT, 500, 5);
        VocabTrainer.Vocab b = VocabTrainer.train(TEXT, 500, 5);
        assertArrayEquals(a.tokens(), b.tokens());
        assertArrayEquals(a.scores(), b.scores());
    }

    @Test
    void tooSmallAVocabularyIsRefusedWithTheReason() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> VocabTrainer.train(TEXT, 270, 5));
        assertTrue(e.getMessage().contains("characters"), e.getMessage());
    }
}
