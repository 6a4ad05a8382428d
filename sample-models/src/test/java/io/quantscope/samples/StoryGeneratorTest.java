package io.quantscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoryGeneratorTest {
    @Test
    void theSameSeedGivesTheSameStoriesAndOthersDiffer() {
        assertEquals(new StoryGenerator(7).text(3000), new StoryGenerator(7).text(3000));
        assertNotEquals(new StoryGenerator(7).text(3000), new StoryGenerator(8).text(3000));
        assertEquals(StoryGenerator.builtInEvalText(), StoryGenerator.builtInEvalText());
    }

    @Test
    void storiesAreVariedAndShaped() {
        StoryGenerator g = new StoryGenerator(1);
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String s = g.story();
            assertTrue(s.startsWith("Once upon a time, there was a "), s);
            assertTrue(s.endsWith("."), s);
            assertTrue(s.split("\\. |\\.\" |! ").length >= 5, "five sentences or more: " + s);
            distinct.add(s);
        }
        assertTrue(distinct.size() >= 195, "almost every story differs: " + distinct.size());
        String text = StoryGenerator.builtInEvalText();
        assertTrue(text.length() >= 6000 && text.length() < 7000, "length " + text.length());
    }
}
