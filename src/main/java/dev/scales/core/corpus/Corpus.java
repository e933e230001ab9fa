package dev.scales.core.corpus;

import static dev.scales.core.corpus.World.pick;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The bundled model's pretraining corpus, generated from a seed (nothing is downloaded or copied).
 * Three kinds of text, as the in-context learning literature suggests (Chan et al. 2022, Garg et
 * al. 2022; see docs/decisions/0008):
 * <ul>
 *   <li><b>general text</b> about the world — people, towns, food, sport, weather, music — whose
 *       facts are fixed, so it is learned into the weights (and a held-out part measures forgetting);</li>
 *   <li><b>demonstration sequences</b> of small classification tasks whose label words are drawn
 *       afresh for every sequence and swapped half the time: the mapping can only be read from the
 *       context, so every sequence trains 0-, 1-, …, k-shot prediction at once;</li>
 *   <li><b>fixed-mapping questions</b> (where does Mia live?) — facts fine-tuning can overwrite.</li>
 * </ul>
 * Stepping stones come first in difficulty: one-word items whose labels recur in the sequence
 * (an induction-head copy), made-up words, very short reviews, then sentences.
 *
 * <p>Two training aids make reading a polarity from demonstrations learnable by a 4-layer model in
 * minutes (docs/decisions/0008). In a share of the polarity and review documents the
 * labels are one fixed pair ({@code recommended} / {@code avoid}), so the position before a label
 * learns the class in the weights; in half of them a class tag ({@code :)} / {@code :(}) sits
 * between the colon and the label, which turns reading into a plain induction copy (the token after
 * the same tag earlier) and, with tied embeddings, teaches the colon's class the tag's direction.
 * {@link #plain()} is the same corpus without the aids: what a real prompt looks like.
 */
public final class Corpus {
    /** The kinds of document, with their share of the corpus. */
    public enum Kind {
        GENERAL(0.18), FACTS(0.05), REPEAT(0.06), WORD_MAP(0.17), NONCE(0.10), SENTIMENT(0.25), TOPIC(0.13),
        /** One-word polarity maps: the stepping stone to reviews, and what pretraining starts on. */
        POLARITY(0.06);

        final double share;

        Kind(double share) {
            this.share = share;
        }
    }

    /** Label-word pairs a two-class task may use; each is swapped at random per sequence. */
    private static final List<List<String>> PAIRS = List.of(List.of("positive", "negative"), List.of("good", "bad"),
            List.of("happy", "sad"), List.of("great", "terrible"), List.of("yes", "no"), List.of("true", "false"),
            List.of("A", "B"), List.of("1", "0"), List.of("up", "down"), List.of("hot", "cold"),
            List.of("left", "right"), List.of("on", "off"));
    /** The fixed pair of a training aid: the class of a review or word, learned into the weights. */
    static final List<String> VERDICT = List.of("recommended", "avoid");
    /** The share of polarity and review documents labelled with {@link #VERDICT}. */
    static final double VERDICT_SHARE = 0.3;
    /** The share of polarity and review documents whose labels follow a class tag. */
    static final double TAG_SHARE = 0.5;
    /** The class tags, positive first: single tokens of the trained vocabulary. */
    static final List<String> TAGS = List.of(" :)", " :(");
    /** Field names of a demonstration, as {input field, output field}. */
    private static final List<List<String>> FIELDS = List.of(List.of("Input", "Output"), List.of("Text", "Label"),
            List.of("Q", "A"), List.of("Sentence", "Answer"), List.of("Item", "Class"));

    private final World world;
    private final boolean aids;

    /** The pretraining corpus, with its training aids. */
    public Corpus(World world) {
        this(world, true);
    }

    private Corpus(World world, boolean aids) {
        this.world = world;
        this.aids = aids;
    }

    /**
     * The same documents without the training aids (no fixed pair, no class tags), as demonstrations
     * in a real prompt are written: what the in-context probe measures on. It draws the same random
     * numbers, so a seed gives the same items.
     */
    public Corpus plain() {
        return new Corpus(world, false);
    }

    public World world() {
        return world;
    }

    /**
     * A document's text and where its answers are: the character ranges of the label words the
     * demonstrations write (with their leading space), which pretraining may weight more.
     */
    public record Document(String text, List<int[]> labels) {}

    /** A document of at least {@code minChars} characters, its kind drawn by share. */
    public String document(Random r, int minChars) {
        return document(r, kind(r), minChars);
    }

    public String document(Random r, Kind kind, int minChars) {
        return labelled(r, kind, minChars).text();
    }

    /** As {@link #document(Random, int)}, with the answers' places. */
    public Document labelled(Random r, int minChars) {
        return labelled(r, kind(r), minChars);
    }

    public Document labelled(Random r, Kind kind, int minChars) {
        Text b = new Text();
        switch (kind) {
            case GENERAL -> {
                while (b.length() < minChars) {
                    b.append(paragraph(r)).append("\n\n");
                }
            }
            case FACTS -> facts(r, b, minChars);
            case REPEAT -> repeat(r, b, minChars);
            case WORD_MAP -> wordMap(r, b, minChars);
            case POLARITY -> polarity(r, b, minChars);
            case NONCE -> nonce(r, b, minChars);
            case SENTIMENT -> sentiment(r, b, minChars);
            case TOPIC -> topic(r, b, minChars);
        }
        return new Document(b.toString(), List.copyOf(b.labels));
    }

    /** The text being written, and the ranges of the labels written so far. */
    private static final class Text {
        final StringBuilder b = new StringBuilder();
        final List<int[]> labels = new ArrayList<>();

        Text append(Object o) {
            b.append(o);
            return this;
        }

        Text label(String word) {
            int start = b.length();
            b.append(' ').append(word);
            labels.add(new int[] {start, b.length()});
            return this;
        }

        int length() {
            return b.length();
        }

        @Override
        public String toString() {
            return b.toString();
        }
    }

    public static Kind kind(Random r) {
        double x = r.nextDouble();
        for (Kind k : Kind.values()) {
            x -= k.share;
            if (x < 0) {
                return k;
            }
        }
        return Kind.GENERAL;
    }

    /** A paragraph of general text: three to seven sentences about the world. */
    public String paragraph(Random r) {
        int n = 3 + r.nextInt(5);
        List<String> sentences = new ArrayList<>();
        World.Person p = pick(r, world.people());
        for (int i = 0; i < n; i++) {
            sentences.add(generalSentence(r, p));
        }
        return String.join(" ", sentences);
    }

    private String generalSentence(Random r, World.Person p) {
        String name = p.name();
        return Texts.capitalize(switch (r.nextInt(15)) {
            case 0 -> name + " lives in " + p.town() + ".";
            case 1 -> name + " has a " + p.color() + " " + p.pet() + ".";
            case 2 -> name + " likes " + p.food() + " more than anything.";
            case 3 -> "in the morning " + name + " walked to the " + pick(r, World.PLACES) + ".";
            case 4 -> name + " bought " + pick(r, World.FOODS) + " at the market in " + p.town() + ".";
            case 5 -> "the " + pick(r, World.ANIMALS) + " ran across the " + pick(r, World.PLACES) + ".";
            case 6 -> {
                boolean good = r.nextBoolean();
                yield name + " tried the " + pick(r, World.REVIEWED) + ". it was "
                        + pick(r, good ? World.GOOD : World.BAD) + ", so " + name + " felt " + (good ? "happy" : "sad")
                        + ".";
            }
            case 7 -> Texts.topicSentence(r, pick(r, List.of(World.Topic.values())), Texts.Split.PRETRAIN);
            case 8 -> "it seemed quiet in " + pick(r, World.TOWNS) + " that day.";
            case 9 -> "honestly, " + name + " was tired, but the day turned out fine.";
            case 10 -> name + " and " + pick(r, World.NAMES) + " are friends and talked about the "
                    + pick(r, World.OBJECTS) + " all day.";
            case 11 -> "the " + pick(r, World.OBJECTS) + " was on the table, near the old "
                    + pick(r, World.OBJECTS) + ".";
            case 12 -> name + " took a " + pick(r, World.TOOLS) + " to the " + pick(r, World.PLACES) + ".";
            case 13 -> pick(r, List.of("it was such a long day, truly.", "last night the fans cheered, and the crowd "
                    + "went home late.", "the show began at noon and ended late.",
                    "this morning " + name + " said the " + pick(r, World.PLACES) + " would stay quiet until midnight.",
                    "by noon " + name + " had reached the " + pick(r, World.PLACES) + ".",
                    "look, " + name + " found a " + pick(r, World.OBJECTS) + " near the door.",
                    name + " stayed at the " + pick(r, World.PLACES) + " all day, and they talked.",
                    "there was fresh " + pick(r, World.FOODS) + " on the old table."));
            default -> "the " + p.pet() + " of " + name + " is " + p.color() + ".";
        });
    }

    /**
     * A random list of the world's words, written again and again: only copying from the context
     * predicts the repeats — the data on which induction heads form (Olsson et al. 2022), the first
     * stepping stone towards reading labels from demonstrations.
     */
    private static void repeat(Random r, Text b, int minChars) {
        List<List<String>> pools = List.of(World.ANIMALS, World.COLORS, World.FOODS, World.OBJECTS, World.NAMES,
                World.PLACES, World.GOOD, World.BAD);
        List<String> words = new ArrayList<>();
        int n = 5 + r.nextInt(20);
        for (int i = 0; i < n; i++) {
            words.add(pick(r, pick(r, pools)));
        }
        String line = String.join(" ", words);
        while (b.length() < minChars) {
            b.append(line).append(r.nextBoolean() ? "\n" : " | ");
        }
    }

    /** Questions with fixed answers: the world's facts, learned into the weights. */
    private void facts(Random r, Text b, int minChars) {
        while (b.length() < minChars) {
            World.Person p = pick(r, world.people());
            switch (r.nextInt(3)) {
                case 0 -> b.append("Q: Where does ").append(p.name()).append(" live?\nA:").label(p.town());
                case 1 -> b.append("Q: What pet does ").append(p.name()).append(" have?\nA:").label(p.pet());
                default -> b.append("Q: What does ").append(p.name()).append(" like to eat?\nA:").label(p.food());
            }
            b.append("\n\n");
        }
    }

    /** One-word items, each with a label drawn for this sequence; items recur so labels can be copied. */
    private void wordMap(Random r, Text b, int minChars) {
        List<String> pool = pick(r, List.of(World.ANIMALS, World.COLORS, World.FOODS, World.OBJECTS, World.NAMES));
        List<String> labels = labelsFor(r, 2 + r.nextInt(2));
        List<String> items = new ArrayList<>(pool);
        Collections.shuffle(items, r);
        items = items.subList(0, Math.min(items.size(), 3 + r.nextInt(5)));
        List<String> assigned = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            assigned.add(labels.get(i < labels.size() ? i : r.nextInt(labels.size())));
        }
        Format f = format(r, List.of("Word", "Class"));
        f.header(r, b, labels);
        while (b.length() < minChars) {
            int i = r.nextInt(items.size());
            f.append(b, items.get(i), assigned.get(i));
        }
    }

    /**
     * Single words of one polarity (great, awful, loved…) labelled with a pair drawn and swapped for
     * this sequence: the stepping stone between copying a word's label and reading a review's. A
     * fresh word can be answered only by matching its polarity to the demonstrations' words.
     */
    private void polarity(Random r, Text b, int minChars) {
        polar(r, b, minChars, "Word", positive -> r.nextInt(4) == 0
                ? pick(r, positive ? World.GOOD_VERBS : World.BAD_VERBS) : pick(r, positive ? World.GOOD : World.BAD));
    }

    /** Made-up words in neutral sentences, each word in a category drawn for this sequence. */
    private void nonce(Random r, Text b, int minChars) {
        List<String> categories = new ArrayList<>(List.of("animal", "food", "tool", "color", "place"));
        Collections.shuffle(categories, r);
        List<String> labels = r.nextInt(3) == 0 ? labelsFor(r, 3) : categories.subList(0, 2 + r.nextInt(2));
        int words = labels.size() + r.nextInt(3);
        List<String> nonce = new ArrayList<>();
        List<String> assigned = new ArrayList<>();
        for (int i = 0; i < words; i++) {
            nonce.add(Texts.nonceWord(r));
            assigned.add(labels.get(i < labels.size() ? i : r.nextInt(labels.size())));
        }
        Format f = format(r, List.of("Text", "Category"));
        f.header(r, b, labels);
        while (b.length() < minChars) {
            int i = r.nextInt(nonce.size());
            f.append(b, Texts.nonceSentence(r, nonce.get(i), Texts.Split.PRETRAIN), assigned.get(i));
        }
    }

    /** Reviews whose polarity is written with a label pair drawn and swapped for this sequence. */
    private void sentiment(Random r, Text b, int minChars) {
        polar(r, b, minChars, "Review", positive -> Texts.review(r, positive, Texts.Split.PRETRAIN));
    }

    /** Items of a polarity drawn per line, labelled with a sentiment pair drawn and swapped for this sequence. */
    private void polar(Random r, Text b, int minChars, String inputField,
                       java.util.function.Function<Boolean, String> item) {
        List<String> drawn = r.nextInt(3) == 0 ? labelsFor(r, 2) : swapped(r, pick(r, PAIRS.subList(0, 4)));
        boolean fixed = r.nextDouble() < VERDICT_SHARE;
        boolean tagged = r.nextDouble() < TAG_SHARE && aids;
        List<String> labels = fixed && aids ? VERDICT : drawn;
        Format f = format(r, List.of(inputField, "Sentiment"));
        f.header(r, b, labels);
        while (b.length() < minChars) {
            boolean positive = r.nextBoolean();
            f.append(b, item.apply(positive), tagged ? TAGS.get(positive ? 0 : 1) : "", labels.get(positive ? 0 : 1));
        }
    }

    /** Sentences on the four topics, with the topic names (or other words) permuted for this sequence. */
    private void topic(Random r, Text b, int minChars) {
        List<World.Topic> topics = new ArrayList<>(List.of(World.Topic.values()));
        Collections.shuffle(topics, r);
        topics = topics.subList(0, 2 + r.nextInt(3));
        List<String> labels;
        if (r.nextInt(3) == 0) {
            labels = labelsFor(r, topics.size());
        } else {
            labels = new ArrayList<>(topics.stream().map(t -> t.label).toList());
            Collections.shuffle(labels, r);
        }
        Format f = format(r, List.of("Sentence", "Topic"));
        f.header(r, b, labels);
        while (b.length() < minChars) {
            int i = r.nextInt(topics.size());
            f.append(b, Texts.topicSentence(r, topics.get(i), Texts.Split.PRETRAIN), labels.get(i));
        }
    }

    /** {@code n} distinct label words for a sequence: a known pair, letters, numbers or words of the world. */
    private static List<String> labelsFor(Random r, int n) {
        if (n == 2 && r.nextBoolean()) {
            return swapped(r, pick(r, PAIRS));
        }
        List<String> pool = new ArrayList<>(pick(r, List.of(List.of("A", "B", "C", "D"), List.of("1", "2", "3", "4"),
                World.COLORS, World.ANIMALS, World.FOODS)));
        Collections.shuffle(pool, r);
        return new ArrayList<>(pool.subList(0, n));
    }

    private static List<String> swapped(Random r, List<String> pair) {
        return r.nextBoolean() ? pair : List.of(pair.get(1), pair.get(0));
    }

    /** How a sequence writes its demonstrations: named fields, or an arrow. */
    private record Format(String input, String output) {
        void header(Random r, Text b, List<String> labels) {
            if (r.nextInt(3) == 0) { // an instruction naming the labels, in random order: it never tells the mapping
                List<String> shown = new ArrayList<>(labels);
                Collections.shuffle(shown, r);
                b.append("Answer with ").append(String.join(" or ", shown)).append(".\n\n");
            }
        }

        void append(Text b, String x, String y) {
            append(b, x, "", y);
        }

        /** A demonstration whose label {@code y} follows {@code tag} (empty for none). */
        void append(Text b, String x, String tag, String y) {
            if (input == null) {
                b.append(x).append(" ->").append(tag).label(y).append('\n');
            } else {
                b.append(input).append(": ").append(x).append('\n').append(output).append(":").append(tag).label(y)
                        .append("\n\n");
            }
        }
    }

    /** The task's own field names half the time, else generic ones or an arrow. */
    private static Format format(Random r, List<String> natural) {
        int x = r.nextInt(10);
        if (x < 5) {
            return new Format(natural.get(0), natural.get(1));
        }
        if (x == 9) {
            return new Format(null, null);
        }
        List<String> f = pick(r, FIELDS);
        return new Format(f.get(0), f.get(1));
    }
}
