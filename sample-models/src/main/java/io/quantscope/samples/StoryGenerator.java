package io.quantscope.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Short, simple stories made from many characters, places, objects and events, deterministic for a seed. They are the
 * app's built-in text for measuring quality (and the training text the trained sample model of #8 will learn from):
 * varied enough to exercise grammar and story shape, plain enough for a small model.
 */
public final class StoryGenerator {
    private static final String[] NAMES = {
        "Lily", "Tom", "Mia", "Ben", "Sara", "Max", "Anna", "Leo", "Zoe", "Sam", "Nora", "Finn", "Ella", "Jack", "Ruby",
        "Tim", "Lucy", "Noah", "Ivy", "Dan"
    };
    private static final String[] KINDS = {
        "little girl",
        "little boy",
        "small dog",
        "curious cat",
        "brave bird",
        "happy frog",
        "tiny mouse",
        "kind bear",
        "young fox",
        "old turtle"
    };
    private static final String[] PLACES = {
        "the park",
        "the forest",
        "the garden",
        "the beach",
        "the big hill",
        "the old house",
        "the river",
        "the farm",
        "the school",
        "the market"
    };
    private static final String[] OBJECTS = {
        "a red ball",
        "a shiny stone",
        "a blue kite",
        "a little boat",
        "a big box",
        "a yellow flower",
        "a soft hat",
        "a funny book",
        "a golden key",
        "a green apple"
    };
    private static final String[] FEELINGS = {
        "happy", "sad", "scared", "excited", "surprised", "proud", "tired", "curious"
    };
    private static final String[] LIKES = {
        "to play outside",
        "to sing songs",
        "to run fast",
        "to draw pictures",
        "to help others",
        "to look at the stars",
        "to swim",
        "to climb trees"
    };
    private static final String[] WEATHER = {"sunny", "windy", "rainy", "warm", "cold", "bright"};

    private final SplittableRandom random;

    public StoryGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private String pick(String[] a) {
        return a[random.nextInt(a.length)];
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** One story of five to nine sentences. */
    public String story() {
        String hero = pick(NAMES);
        String friend = pick(NAMES);
        while (friend.equals(hero)) {
            friend = pick(NAMES);
        }
        String kind = pick(KINDS);
        String place = pick(PLACES);
        String thing = pick(OBJECTS);
        String thingName = thing.substring(thing.indexOf(' ') + 1);
        List<String> s = new ArrayList<>();
        s.add("Once upon a time, there was a " + kind + " named " + hero + ".");
        s.add(hero + " loved " + pick(LIKES) + ".");
        s.add("One " + pick(WEATHER) + " day, " + hero + " went to " + place + " with " + friend + ".");
        s.add("There, they found " + thing + ".");
        switch (random.nextInt(3)) {
            case 0 -> {
                s.add(friend + " wanted the " + thingName + " too, and " + hero + " felt " + pick(FEELINGS) + ".");
                s.add("Then " + hero + " said, \"Let's share it!\"");
                s.add("They played with the " + thingName + " together all day.");
            }
            case 1 -> {
                s.add("But the " + thingName + " fell into a deep hole.");
                s.add(hero + " was " + pick(FEELINGS) + ", but " + friend + " had an idea.");
                s.add("They used a long stick and got the " + thingName + " back.");
            }
            default -> {
                s.add("The " + thingName + " belonged to an old man who lived near " + place + ".");
                s.add(hero + " and " + friend + " gave it back to him.");
                s.add("The old man smiled and gave them " + pick(OBJECTS) + ".");
            }
        }
        if (random.nextBoolean()) {
            s.add("On the way home, the sky was " + pick(WEATHER) + " and the birds were singing.");
        }
        s.add(cap(hero + " was " + pick(new String[] {"happy", "proud", "glad"}) + ", and " + friend
                + " was happy too."));
        if (random.nextBoolean()) {
            s.add("The end.");
        }
        return String.join(" ", s);
    }

    /** Stories separated by blank lines until the text is at least {@code chars} long. */
    public String text(int chars) {
        StringBuilder b = new StringBuilder();
        while (b.length() < chars) {
            if (!b.isEmpty()) {
                b.append("\n\n");
            }
            b.append(story());
        }
        return b.toString();
    }

    /** The app's built-in evaluation text: the same every time. */
    public static String builtInEvalText() {
        return new StoryGenerator(20261123).text(6000);
    }
}
