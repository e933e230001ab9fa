package dev.scales.core.bpe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import dev.scales.core.model.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {
    private static final List<String> SENTENCES = List.of(
            "The cat sat on the mat.",
            "The dog sat on the log.",
            "A cat and a dog played in the garden.",
            "The cat chased the dog, and the dog chased the cat!",
            "Numbers like 123 and 4567 appear in the text too.");

    @TempDir
    Path dir;

    private static List<String> corpus(int repeats) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            texts.addAll(SENTENCES);
        }
        return texts;
    }

    private static String[] tokenTexts(Tokenizer t, long[] ids) {
        return Arrays.stream(ids).mapToObj(t::tokenText).toArray(String[]::new);
    }

    private Tokenizer trainAndLoad(List<String> texts, int vocabSize, List<String> specials, String name) {
        Path file = dir.resolve(name);
        BpeTrainer.train(texts, vocabSize, specials).write(file);
        return Tokenizer.load(file);
    }

    @Test
    void frequentWordsWithTheirLeadingSpaceBecomeSingleTokens() {
        try (Tokenizer t = trainAndLoad(corpus(20), 400, List.of(), "tokenizer.json")) {
            for (String word : List.of(" cat", " dog", " the", " sat", "The")) {
                long[] ids = t.encode(word, false);
                assertThat(ids).as(word).hasSize(1);
                assertThat(t.tokenText(ids[0])).isEqualTo(word);
            }
            long[] sentence = t.encode("The cat sat on the mat.", false);
            assertThat(tokenTexts(t, sentence)).containsExactly("The", " cat", " sat", " on", " the", " mat", ".");
        }
    }

    @Test
    void anyTextRoundTripsIncludingCharactersNeverSeenInTraining() {
        try (Tokenizer t = trainAndLoad(corpus(5), 320, List.of("<|endoftext|>"), "tokenizer.json")) {
            for (String text : List.of(
                    "The cat sat on the mat.",
                    "Größe — naïve café ☕ 日本語 🎹 and\ttabs\n\nnewlines",
                    "  leading and trailing spaces  ",
                    "emoji only: 🦎🐍🦖 and a zero-width joiner 👩‍💻",
                    "control\u0001chars\u007f and \u00a0 no-break space",
                    "")) {
                long[] ids = t.encode(text, false);
                assertThat(t.decode(ids)).as(text).isEqualTo(text);
            }
        }
    }

    @Test
    void theSameCorpusGivesAByteIdenticalFile() throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        BpeTrainer.train(corpus(10), 350, List.of("<|endoftext|>")).write(a);
        BpeTrainer.train(new ArrayList<>(corpus(10)), 350, List.of("<|endoftext|>")).write(b);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
    }

    @Test
    void theVocabularyHasExactlyTheSizeAskedForWhenTheCorpusHasEnoughPairs() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        BpeVocabulary v = BpeTrainer.train(corpus(20), 300, List.of("<|endoftext|>", "<|pad|>"));
        assertThat(v.size()).isEqualTo(300);
        assertThat(v.merges()).hasSizeGreaterThanOrEqualTo(300 - 256 - 2);
        v.write(file);

        JsonObject model = JsonParser.parseString(Files.readString(file)).getAsJsonObject().getAsJsonObject("model");
        assertThat(model.getAsJsonObject("vocab").size()).isEqualTo(300);
        assertThat(model.getAsJsonArray("merges").size()).isEqualTo(v.merges().size());
        try (Tokenizer t = Tokenizer.load(file)) {
            assertThat(t.tokenText(299)).isNotEmpty();
        }
    }

    @Test
    void aSmallCorpusStopsWhenNoPairOccursTwice() {
        BpeVocabulary v = BpeTrainer.train(List.of("abc abc"), 1000, List.of());
        // "abc" and " abc" share (a,b) and (b,c), twice each: the tie goes to "a" < "b", then "ab c".
        assertThat(v.merges()).containsExactly("a b", "ab c");
        assertThat(v.size()).isEqualTo(258);
    }

    @Test
    void theSmallestVocabularyIsTheBytesAndSpecialsAlone() {
        BpeVocabulary v = BpeTrainer.train(corpus(5), 257, List.of("<|endoftext|>"));
        assertThat(v.merges()).isEmpty();
        assertThat(v.size()).isEqualTo(257);
        Path file = dir.resolve("tokenizer.json");
        v.write(file);
        try (Tokenizer t = Tokenizer.load(file)) {
            String text = "The cat 🎹";
            assertThat(t.encode(text, false)).hasSize(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            assertThat(t.decode(t.encode(text, false))).isEqualTo(text);
        }
    }

    @Test
    void specialTokensComeFirstAndAreEncodedAsSingleTokens() {
        List<String> specials = List.of("<|endoftext|>", "<|pad|>");
        BpeVocabulary v = BpeTrainer.train(corpus(5), 320, specials);
        assertThat(v.specialTokens()).containsExactly(
                entry("<|endoftext|>", 0),
                entry("<|pad|>", 1));
        assertThat(v.vocab()).containsEntry("<|endoftext|>", 0).containsEntry("<|pad|>", 1)
                .containsEntry("!", 2).containsEntry("Ġ", 2 + 220);
        Path file = dir.resolve("tokenizer.json");
        v.write(file);
        try (Tokenizer t = Tokenizer.load(file)) {
            assertThat(t.encode("<|endoftext|>", false)).containsExactly(0L);
            String text = "The cat sat.<|endoftext|>The dog<|pad|>";
            long[] ids = t.encode(text, false);
            assertThat(ids).contains(0L, 1L);
            assertThat(t.decode(ids)).isEqualTo(text);
        }
    }

    @Test
    void specialTokensInTheCorpusAreNotLearnedAsMerges() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            texts.add("hello<|endoftext|>");
        }
        BpeVocabulary v = BpeTrainer.train(texts, 400, List.of("<|endoftext|>"));
        assertThat(v.vocab().keySet()).noneMatch(k -> k.contains("|") && !k.equals("<|endoftext|>") && k.length() > 1);
        assertThat(v.vocab()).containsKey("hello");
    }

    /**
     * Worked by hand. Pieces: "hug" ×1, " hug" ×2, " pug" ×2, " bun" ×1 (space is Ġ). Pair counts:
     * (u,g) 5 → merge "u g"; then (h,ug) 3 → "h ug"; then (Ġ,hug), (Ġ,p), (p,ug) all 2: the tie goes to
     * the smallest left string, "p" < "Ġ" → "p ug"; then (Ġ,hug) and (Ġ,pug) tie on "Ġ", "hug" < "pug"
     * → "Ġ hug", then "Ġ pug". Every other pair occurs once, so training stops there.
     */
    @Test
    void mergesAndEncodingMatchAHandWorkedExample() {
        BpeVocabulary v = BpeTrainer.train(List.of("hug hug hug pug pug bun"), 1000, List.of());
        assertThat(v.merges()).containsExactly("u g", "h ug", "p ug", "Ġ hug", "Ġ pug");
        assertThat(v.vocab()).containsEntry("ug", 256).containsEntry("hug", 257).containsEntry("pug", 258)
                .containsEntry("Ġhug", 259).containsEntry("Ġpug", 260).hasSize(261);

        Path file = dir.resolve("tokenizer.json");
        v.write(file);
        try (Tokenizer t = Tokenizer.load(file)) {
            // Byte symbols keep GPT-2's ids: "b" is 65, "s" is 82, "Ġ" is 220.
            assertThat(t.encode("bug hugs", false)).containsExactly(65, 256, 259, 82);
            assertThat(tokenTexts(t, t.encode("bug hugs", false))).containsExactly("b", "ug", " hug", "s");
            assertThat(t.encode(" pug bug", false)).containsExactly(260, 220, 65, 256);
        }

        // A smaller vocabulary keeps the first merges only.
        assertThat(BpeTrainer.train(List.of("hug hug hug pug pug bun"), 258, List.of()).merges())
                .containsExactly("u g", "h ug");
    }

    @Test
    void overlappingPairsMergeLeftToRight() {
        // "aaaa" ×3: (a,a) first; the words become [aa, aa], so "aa aa" follows.
        BpeVocabulary v = BpeTrainer.train(List.of("aaaa", "aaaa", "aaaa"), 1000, List.of());
        assertThat(v.merges()).containsExactly("a a", "aa aa");
    }

    @Test
    void badArgumentsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> BpeTrainer.train(corpus(1), 200, List.of()))
                .isInstanceOf(ScalesException.class).hasMessageContaining("vocabSize 200").hasMessageContaining("256");
        assertThatThrownBy(() -> BpeTrainer.train(corpus(1), 257, List.of("<|a|>", "<|b|>")))
                .isInstanceOf(ScalesException.class).hasMessageContaining("vocabSize 257").hasMessageContaining("258");
        assertThatThrownBy(() -> BpeTrainer.train(List.of(), 300, List.of()))
                .isInstanceOf(ScalesException.class).hasMessageContaining("empty corpus");
        assertThatThrownBy(() -> BpeTrainer.train(List.of("", "<|endoftext|>"), 300, List.of("<|endoftext|>")))
                .isInstanceOf(ScalesException.class).hasMessageContaining("empty corpus");
        assertThatThrownBy(() -> BpeTrainer.train(null, 300, List.of()))
                .isInstanceOf(ScalesException.class).hasMessageContaining("corpus");
        assertThatThrownBy(() -> BpeTrainer.train(corpus(1), 300, List.of("<|x|>", "<|x|>")))
                .isInstanceOf(ScalesException.class).hasMessageContaining("<|x|>").hasMessageContaining("twice");
        assertThatThrownBy(() -> BpeTrainer.train(corpus(1), 300, List.of("")))
                .isInstanceOf(ScalesException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> BpeTrainer.train(corpus(1), 300, List.of("a")))
                .isInstanceOf(ScalesException.class).hasMessageContaining("byte symbol");
    }
}
