package dev.scales.core.corpus;

import com.google.gson.JsonObject;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The sample tasks under {@code sample-data/}, generated from the world's held-out frames (never
 * from the frames the pretraining corpus uses): sentiment, topic, a made-up-word mapping, and a
 * held-out general text for perplexity. Splits are disjoint; the same seed writes the same files.
 */
public final class SampleTasks {
    /** A labelled item. */
    public record Item(String input, String label) {}

    /** A task's splits and its prompt set. */
    public record Task(String name, List<Item> train, List<Item> validation, List<Item> test, PromptSet prompts) {}

    public static final long SEED = 20261126L;

    private final World world;

    public SampleTasks(World world) {
        this.world = world;
    }

    public Task sentiment() {
        Random r = new Random(SEED);
        return task("sentiment", r, 128, 32, 200, List.of("positive", "negative"),
                label -> Texts.review(r, label.equals("positive"), Texts.Split.HELD_OUT),
                "Answer with positive or negative.", "Review: {input}\nSentiment: {output}\n\n");
    }

    public Task topic() {
        Random r = new Random(SEED + 1);
        List<String> labels = List.of(World.Topic.values()).stream().map(t -> t.label).toList();
        return task("topic", r, 128, 32, 200, labels,
                label -> Texts.topicSentence(r, World.Topic.values()[labels.indexOf(label)], Texts.Split.HELD_OUT),
                "Answer with food, sport, weather or music.", "Sentence: {input}\nTopic: {output}\n\n");
    }

    /** Made-up words, two per category; what each means is only in the data. */
    public Task novel() {
        Random r = new Random(SEED + 2);
        List<String> labels = List.of("animal", "food", "tool");
        return task("novel", r, 96, 24, 120, labels, label -> {
            int i = labels.indexOf(label) * 2 + r.nextInt(2);
            return Texts.nonceSentence(r, Texts.RESERVED_NONCE.get(i), Texts.Split.HELD_OUT);
        }, "Answer with animal, food or tool.", "Text: {input}\nCategory: {output}\n\n");
    }

    /**
     * The same mapping as a word list, each made-up word followed by its category ({@code dax animal}):
     * one demonstration per word, the query a bare word. The label comes right after its key, so a
     * model that can copy from its context (an induction head) can answer; the sentences of
     * {@link #novel()} ask it to recall a label written a line below the word.
     */
    public static PromptSet novelWordList() {
        List<Example> demos = Texts.RESERVED_NONCE.stream().map(w -> new Example(w, novelCategory(w))).toList();
        return new PromptSet("Answer with animal, food or tool.", new PromptTemplate("{input} {output}\n"),
                LabelSet.of("animal", "food", "tool"), demos);
    }

    /** The items of {@link #novel()} as the word list asks them: each sentence's made-up word, with its label. */
    public static List<Item> novelWords(List<Item> sentences) {
        return sentences.stream().map(i -> new Item(novelWord(i.input()), i.label())).toList();
    }

    /** The made-up word a sentence of {@link #novel()} is about. */
    public static String novelWord(String sentence) {
        return Texts.RESERVED_NONCE.stream().filter(w -> sentence.toLowerCase().matches(".*\\b" + w + "\\b.*"))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no made-up word in: " + sentence));
    }

    /** The category of each made-up word of {@link #novel()}. */
    public static String novelCategory(String word) {
        return List.of("animal", "food", "tool").get(Texts.RESERVED_NONCE.indexOf(word) / 2);
    }

    /** Held-out general text: paragraphs of the pretraining kind, from a seed the corpus never uses. */
    public List<String> generalText(int paragraphs) {
        Random r = new Random(SEED + 3);
        Corpus corpus = new Corpus(world);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < paragraphs; i++) {
            out.add(corpus.paragraph(r));
        }
        return out;
    }

    private static Task task(String name, Random r, int train, int validation, int test, List<String> labels,
                             Function<String, String> draw, String instruction, String template) {
        Set<String> seen = new LinkedHashSet<>();
        List<List<Item>> splits = new ArrayList<>();
        for (int size : new int[] {train, validation, test}) {
            List<Item> items = new ArrayList<>();
            int attempts = 0;
            while (items.size() < size) {
                if (++attempts > size * 1000) {
                    throw new IllegalStateException(name + ": too few distinct items for " + size);
                }
                String label = labels.get(items.size() % labels.size()); // balanced, interleaved
                String input = draw.apply(label);
                if (seen.add(input)) {
                    items.add(new Item(input, label));
                }
            }
            java.util.Collections.shuffle(items, r);
            splits.add(items);
        }
        List<Example> demos = splits.get(0).subList(0, 16).stream().map(i -> new Example(i.input(), i.label())).toList();
        PromptSet set = new PromptSet(instruction, new PromptTemplate(template), LabelSet.of(labels.toArray(String[]::new)),
                demos);
        return new Task(name, splits.get(0), splits.get(1), splits.get(2), set);
    }

    /** Writes every task into {@code dir}: NAME/{train,validation,test}.jsonl and prompt-set.json, general/held-out.txt. */
    public void write(Path dir) throws IOException {
        for (Task t : List.of(sentiment(), topic(), novel())) {
            Path d = Files.createDirectories(dir.resolve(t.name()));
            writeJsonl(d.resolve("train.jsonl"), t.train());
            writeJsonl(d.resolve("validation.jsonl"), t.validation());
            writeJsonl(d.resolve("test.jsonl"), t.test());
            t.prompts().write(d.resolve("prompt-set.json"));
        }
        novelWordList().write(dir.resolve("novel").resolve("word-list-prompt-set.json"));
        Path g = Files.createDirectories(dir.resolve("general"));
        AtomicFiles.writeString(g.resolve("held-out.txt"), String.join("\n\n", generalText(60)) + "\n");
    }

    private static void writeJsonl(Path file, List<Item> items) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Item i : items) {
            JsonObject o = new JsonObject();
            o.addProperty("input", i.input());
            o.addProperty("label", i.label());
            b.append(o).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }
}
