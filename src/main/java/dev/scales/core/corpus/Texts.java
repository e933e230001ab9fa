package dev.scales.core.corpus;

import static dev.scales.core.corpus.World.pick;

import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The sentences of the world, written from frames. Each kind of sentence has two disjoint sets of
 * frames: {@link Split#PRETRAIN} frames feed the pretraining corpus, {@link Split#HELD_OUT} frames
 * only the sample tasks' data — so no test sentence can occur in the pretraining text.
 */
public final class Texts {
    /** Which frames to draw from. */
    public enum Split { PRETRAIN, HELD_OUT }

    /** Review frames: {t}/{t2} reviewed things, {a}/{a2} adjectives and {v} a verb of one polarity, {n} a name. */
    private static final List<String> REVIEW_PRETRAIN = List.of(
            "the {t} was {a}.", "a {a} {t}.", "I {v} the {t}.", "the {t} was {a} and the {t2} was {a2}.",
            "what a {a} {t}!", "{a}.", "{a} {t}, {a2} {t2}.", "we {v} it. the {t} was {a}.", "{a} and {a2}.",
            "the {t} is {a}.", "I {v} this {t}, so {a}.", "very {a} {t}.");
    private static final List<String> REVIEW_HELD_OUT = List.of(
            "honestly, the {t} felt {a}.", "our {t} turned out {a} and {a2}.", "{n} said the {t} was {a}.",
            "the {t} seemed {a}, and I {v} it.", "such a {a} {t}, truly {a2}.", "my friends {v} the {a} {t}.",
            "it was a {a} {t} with a {a2} {t2}.", "the {t} felt {a2} and the {t2} felt {a}.");

    /** Topic frames: {n}/{n2} the topic's nouns, {v} its verbs, {p} its places, {name}, {town}. */
    private static final List<List<String>> TOPIC_PRETRAIN = List.of(
            List.of("{name} {v} the {n} at the {p}.", "the {n} at the {p} was hot.", "we {v} {n} in {town}.",
                    "{name} {v} {n} and {n2} for dinner.", "the cook {v} {n} at noon."),
            List.of("the team {v} the {n} in {town}.", "{name} {v} in the {n} at the {p}.",
                    "the coach watched the {n} at the {p}.", "the {n} and the {n2} were ready.",
                    "{name} {v} for the {n}."),
            List.of("the {n} came over {town}.", "heavy {n} {v} on the {p}.", "{name} watched the {n} from the window.",
                    "the {n} was strong near the {p}.", "{n} and {n2} covered {town}."),
            List.of("{name} {v} the {n} at the {p}.", "the band {v} a new {n}.", "the {n} in the {p} was loud.",
                    "{name} {v} the {n} with the {n2}.", "a {n} {v} in {town} tonight."));
    private static final List<List<String>> TOPIC_HELD_OUT = List.of(
            List.of("{name} {v} fresh {n} last night.", "there was {n} on the table at the {p}.",
                    "in {town} they {v} {n} with {n2}."),
            List.of("{name} {v} a long {n} at the {p}.", "the fans cheered as the {n} began.",
                    "the {n} in {town} ended late, and the {n2} went home."),
            List.of("this morning the {n} {v} over the {p}.", "{name} said the {n} would stay all day.",
                    "by noon the {n} and {n2} had reached {town}."),
            List.of("{name} {v} a quiet {n} for the {p}.", "the crowd loved the {n} and the {n2}.",
                    "in {town} the {n} {v} until midnight."));

    /** Neutral frames for a made-up word {w}: they say nothing of its category. */
    private static final List<String> NONCE_PRETRAIN = List.of(
            "{w}", "I saw a {w}.", "{name} has a {w}.", "the {w} is by the {p}.", "there is a {w} in {town}.",
            "a {w} was here.");
    private static final List<String> NONCE_HELD_OUT = List.of(
            "look, a {w} near the door.", "{name} found the {w} in the {p}.", "we talked about the {w} all day.",
            "the old {w} stayed in {town}.");

    /** The made-up words of the novel-mapping sample task; the pretraining corpus never writes them. */
    public static final List<String> RESERVED_NONCE = List.of("dax", "wug", "fep", "toma", "blicket", "zorb");

    private static final List<String> ONSETS = List.of("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t",
            "v", "z", "br", "gl", "pl", "tr", "sn", "kr");
    private static final List<String> VOWELS = List.of("a", "e", "i", "o", "u", "ee", "oo", "ai");
    private static final Set<String> REAL_WORDS = Set.copyOf(World.words(String.join(" ", World.ANIMALS)
            + " " + String.join(" ", World.FOODS) + " " + String.join(" ", World.OBJECTS)
            + " " + String.join(" ", World.COLORS)));

    private Texts() {}

    /** A one-line review of {@code positive} polarity. */
    public static String review(Random r, boolean positive, Split split) {
        List<String> adjectives = positive ? World.GOOD : World.BAD;
        String frame = pick(r, split == Split.PRETRAIN ? REVIEW_PRETRAIN : REVIEW_HELD_OUT);
        String t = pick(r, World.REVIEWED);
        String t2 = other(r, World.REVIEWED, t);
        String a = pick(r, adjectives);
        return capitalize(frame.replace("{t2}", t2).replace("{t}", t).replace("{a2}", other(r, adjectives, a))
                .replace("{a}", a).replace("{v}", pick(r, positive ? World.GOOD_VERBS : World.BAD_VERBS))
                .replace("{n}", pick(r, World.NAMES)));
    }

    /** A sentence on {@code topic}. */
    public static String topicSentence(Random r, World.Topic topic, Split split) {
        List<String> frames = (split == Split.PRETRAIN ? TOPIC_PRETRAIN : TOPIC_HELD_OUT).get(topic.ordinal());
        String n = pick(r, topic.nouns);
        return capitalize(pick(r, frames).replace("{n2}", other(r, topic.nouns, n)).replace("{n}", n)
                .replace("{v}", pick(r, topic.verbs)).replace("{p}", pick(r, topic.places))
                .replace("{name}", pick(r, World.NAMES)).replace("{town}", pick(r, World.TOWNS)));
    }

    /** A neutral sentence about the made-up word {@code word}. */
    public static String nonceSentence(Random r, String word, Split split) {
        String frame = pick(r, split == Split.PRETRAIN ? NONCE_PRETRAIN : NONCE_HELD_OUT);
        return capitalize(frame.replace("{w}", word).replace("{p}", pick(r, World.PLACES))
                .replace("{name}", pick(r, World.NAMES)).replace("{town}", pick(r, World.TOWNS)));
    }

    /** A fresh made-up word: two or three syllables, never a reserved one nor a word of the world. */
    public static String nonceWord(Random r) {
        while (true) {
            StringBuilder b = new StringBuilder();
            int syllables = 2 + r.nextInt(2);
            for (int i = 0; i < syllables; i++) {
                b.append(pick(r, ONSETS)).append(pick(r, VOWELS));
            }
            if (r.nextBoolean()) {
                b.append(pick(r, List.of("n", "p", "t", "k", "x")));
            }
            String w = b.toString();
            if (!RESERVED_NONCE.contains(w) && !REAL_WORDS.contains(w)) {
                return w;
            }
        }
    }

    private static final java.util.regex.Pattern A_VOWEL = java.util.regex.Pattern.compile("\\b([Aa]) ([aeiou])");

    /** The sentence as written: "a" before a vowel becomes "an", the first letter upper case. */
    static String capitalize(String s) {
        s = A_VOWEL.matcher(s).replaceAll("$1n $2");
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String other(Random r, List<String> from, String not) {
        String o;
        do {
            o = pick(r, from);
        } while (o.equals(not));
        return o;
    }
}
