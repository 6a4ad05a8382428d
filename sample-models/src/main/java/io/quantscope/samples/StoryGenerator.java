package io.quantscope.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Short, simple stories made from many characters, places, objects and events, deterministic for a seed. They are the
 * text the sample model is trained on and the app's built-in text for measuring quality: varied enough to exercise
 * grammar (pronouns that agree, dialogue, past tense, because/but/so) and story shape (opening, trouble, turn, ending),
 * plain enough for a small model.
 */
public final class StoryGenerator {
    private static final String[] GIRLS = {
        "Lily", "Mia", "Sara", "Anna", "Zoe", "Nora", "Ella", "Ruby", "Lucy", "Ivy", "Emma", "Rose", "Kate", "Amy",
        "Luna", "Hanna", "Maya", "Sophie", "Julia", "Grace"
    };
    private static final String[] BOYS = {
        "Tom", "Ben", "Max", "Leo", "Sam", "Finn", "Jack", "Tim", "Noah", "Dan", "Oscar", "Hugo", "Eli", "Paul", "Adam",
        "Luke", "Owen", "Theo", "Jake", "Milo"
    };
    private static final String[] NEUTRAL_KINDS = {
        "small dog", "curious cat", "brave bird", "happy frog", "tiny mouse", "kind bear", "young fox", "old turtle",
        "little rabbit", "busy bee", "gentle cow", "silly duck", "fluffy sheep", "quiet owl", "fast horse",
                "little fish"
    };
    private static final String[] PLACES = {
        "the park", "the forest", "the garden", "the beach", "the big hill", "the old house", "the river", "the farm",
        "the school", "the market", "the lake", "the zoo", "the library", "the field", "the cave", "the bakery",
        "the playground", "the mountain", "the village", "the pond"
    };
    private static final String[] COLOURS = {
        "red", "blue", "green", "yellow", "shiny", "big", "little", "soft", "old", "golden", "pink", "purple"
    };
    private static final String[] THINGS = {
        "ball", "stone", "kite", "boat", "box", "flower", "hat", "book", "key", "apple", "shell", "car", "drum", "cup",
        "bell", "leaf", "feather", "map", "toy", "blanket", "coin", "spoon", "sock", "ring"
    };
    private static final String[] FEELINGS = {
        "happy",
        "sad",
        "scared",
        "excited",
        "surprised",
        "proud",
        "tired",
        "curious",
        "angry",
        "worried",
        "lonely",
        "brave"
    };
    private static final String[] LIKES = {
        "to play outside",
        "to sing songs",
        "to run fast",
        "to draw pictures",
        "to help others",
        "to look at the stars",
        "to swim",
        "to climb trees",
        "to read books",
        "to bake cakes",
        "to dance",
        "to build towers",
        "to jump in puddles",
        "to pick flowers",
        "to tell jokes",
        "to play with friends"
    };
    private static final String[] WEATHER = {"sunny", "windy", "rainy", "warm", "cold", "bright", "cloudy", "snowy"};
    private static final String[] TIMES = {"day", "morning", "afternoon", "evening"};
    private static final String[] GROWNUPS = {"mom", "dad", "grandma", "grandpa", "teacher", "aunt"};
    private static final String[] ANIMALS = {
        "a little bird", "a small kitten", "a baby duck", "a tiny puppy", "a lost lamb", "a young squirrel"
    };
    private static final String[] FOODS = {"a cake", "some cookies", "a pie", "some bread", "a sandwich", "some soup"};
    private static final String[] MORALS = {
        "sharing makes everyone happy",
        "it is good to help others",
        "friends make hard things easy",
        "being brave is not the same as not being scared",
        "it is important to say sorry",
        "listening to others is wise",
        "patience brings good things",
        "kindness is always the right choice"
    };

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

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an " + word : "a " + word;
    }

    /** A character: a name, what it is, and its pronouns. */
    private record Who(String name, String kind, String he, String him, String his) {}

    private Who character(String avoid) {
        boolean girl = random.nextBoolean();
        String name;
        do {
            name = pick(girl ? GIRLS : BOYS);
        } while (name.equals(avoid));
        String kind = random.nextInt(3) == 0 ? pick(NEUTRAL_KINDS) : girl ? "little girl" : "little boy";
        return girl ? new Who(name, kind, "she", "her", "her") : new Who(name, kind, "he", "him", "his");
    }

    /** One story of about six to twelve sentences. */
    public String story() {
        Who hero = character(null);
        Who friend = character(hero.name());
        String h = hero.name();
        String f = friend.name();
        String place = pick(PLACES);
        String thing = pick(THINGS);
        String theThing = "the " + thing;
        String aThing = article(pick(COLOURS) + " " + thing);
        List<String> s = new ArrayList<>();
        switch (random.nextInt(3)) {
            case 0 -> s.add("Once upon a time, there was " + article(hero.kind()) + " named " + h + ".");
            case 1 ->
                s.add("Once upon a time, in a small town, there lived " + article(hero.kind()) + " named " + h + ".");
            default ->
                s.add("Once upon a time, there was " + article(hero.kind()) + " named " + h + " who lived near " + place
                        + ".");
        }
        switch (random.nextInt(3)) {
            case 0 -> s.add(h + " loved " + pick(LIKES) + ".");
            case 1 ->
                s.add("Every day, " + hero.he() + " liked " + pick(LIKES) + " with " + hero.his() + " friend " + f
                        + ".");
            default -> s.add(cap(hero.he()) + " was very " + pick(FEELINGS) + " and loved " + pick(LIKES) + ".");
        }
        String weather = pick(WEATHER);
        switch (random.nextInt(2)) {
            case 0 -> s.add("One " + weather + " " + pick(TIMES) + ", " + h + " went to " + place + " with " + f + ".");
            default -> {
                String grownup = pick(GROWNUPS);
                s.add("One " + weather + " " + pick(TIMES) + ", " + h + "'s " + grownup + " said, \"Let's go to "
                        + place + "!\"");
                s.add(h + " and " + f + " went with " + hero.his() + " " + grownup + ".");
            }
        }
        switch (random.nextInt(8)) {
            case 0 -> {
                s.add("There, they found " + aThing + ".");
                s.add(f + " wanted " + theThing + " too, and " + h + " felt " + pick(FEELINGS) + ".");
                s.add("Then " + h + " said, \"Let's share it!\"");
                s.add("They played with " + theThing + " together all " + pick(TIMES) + ".");
            }
            case 1 -> {
                s.add("There, they found " + aThing + ".");
                s.add("But " + theThing + " fell into a deep hole.");
                s.add(h + " was " + pick(FEELINGS) + ", but " + f + " had an idea.");
                s.add("They used a long stick and got " + theThing + " back.");
            }
            case 2 -> {
                s.add("There, they found " + aThing + ".");
                s.add(cap(theThing) + " belonged to an old man who lived near " + place + ".");
                s.add(h + " and " + f + " gave it back to him.");
                s.add("The old man smiled and gave them " + article(pick(COLOURS) + " " + pick(THINGS)) + ".");
            }
            case 3 -> {
                s.add(h + " had " + aThing + ", but it broke.");
                s.add(cap(hero.he()) + " started to cry because " + hero.he() + " loved it very much.");
                s.add(f + " said, \"Don't be sad, I can help you fix it.\"");
                s.add("They worked together, and soon " + theThing + " was as good as new.");
            }
            case 4 -> {
                s.add("Suddenly, dark clouds came and it started to rain.");
                s.add(h + " and " + f + " were " + pick(FEELINGS) + ".");
                s.add("They ran under a big tree and waited.");
                s.add("Soon the rain stopped, and they saw a beautiful rainbow in the sky.");
            }
            case 5 -> {
                String animal = pick(ANIMALS);
                s.add("There, " + h + " saw " + animal + " that could not find its mother.");
                s.add(h + " said, \"Don't worry, we will help you.\"");
                s.add(h + " and " + f + " looked everywhere, and at last they found its mother near " + place + ".");
                s.add("The mother was so happy, and " + h + " felt " + pick(FEELINGS) + ".");
            }
            case 6 -> {
                s.add(f + " said, \"Let's have a race to the big tree!\"");
                s.add("They ran as fast as they could, but " + h + " fell down.");
                s.add(f + " stopped and helped " + hero.him() + " get up.");
                s.add("They walked to the tree together and laughed.");
            }
            default -> {
                String food = pick(FOODS);
                s.add(h + " wanted to make " + food + " for " + hero.his() + " " + pick(GROWNUPS) + ".");
                s.add(cap(hero.he()) + " asked " + f + " to help, and " + friend.he() + " said yes.");
                s.add("They mixed and stirred, and the kitchen got very messy.");
                s.add("But " + food.substring(food.indexOf(' ') + 1) + " was yummy, and everyone smiled.");
            }
        }
        if (random.nextInt(3) == 0) {
            s.add("On the way home, the sky was " + pick(WEATHER) + " and the birds were singing.");
        }
        if (random.nextInt(3) == 0) {
            s.add(h + " learned that " + pick(MORALS) + ".");
        }
        s.add(h + " was " + pick(new String[] {"happy", "proud", "glad"}) + ", and " + f + " was happy too.");
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

    /**
     * The app's built-in evaluation text: the same every time, and from a seed the sample model was not trained on
     * (its training stories come from {@link io.quantscope.samples.train.TrainSettings#seed}).
     */
    public static String builtInEvalText() {
        return new StoryGenerator(20261123).text(6000);
    }
}
