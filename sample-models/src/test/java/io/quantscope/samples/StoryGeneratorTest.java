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
    void pronounsFollowTheHero() {
        StoryGenerator g = new StoryGenerator(2);
        int checked = 0;
        for (int i = 0; i < 500; i++) {
            String s = g.story();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("little (girl|boy) named (\\w+)")
                    .matcher(s);
            if (m.find()) {
                String wrong = m.group(1).equals("girl") ? " his " : " her ";
                String name = m.group(2);
                // the hero's possessive is the only one in the "Every day, ... with ... friend" sentence
                java.util.regex.Matcher every = java.util.regex.Pattern.compile(
                                "Every day, \\w+ liked [^.]* with (\\w+) friend")
                        .matcher(s);
                if (every.find()) {
                    assertTrue(!(" " + every.group(1) + " ").equals(wrong), name + ": " + s);
                    checked++;
                }
            }
        }
        assertTrue(checked > 20, "sentences checked: " + checked);
    }

    @Test
    void storiesAreVariedAndShaped() {
        StoryGenerator g = new StoryGenerator(1);
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String s = g.story();
            assertTrue(s.startsWith("Once upon a time, "), s);
            assertTrue(s.endsWith("."), s);
            assertTrue(s.split("\\. |\\.\" |! ").length >= 5, "five sentences or more: " + s);
            distinct.add(s);
        }
        assertTrue(distinct.size() >= 198, "almost every story differs: " + distinct.size());
        String text = StoryGenerator.builtInEvalText();
        assertTrue(text.length() >= 6000 && text.length() < 7000, "length " + text.length());
    }
}
