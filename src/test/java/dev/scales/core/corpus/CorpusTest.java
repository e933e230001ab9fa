package dev.scales.core.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CorpusTest {
    private static final World WORLD = new World(1);
    private static String corpus;

    /** A large sample of the pretraining corpus, as the pretrain command draws it. */
    @BeforeAll
    static void sample() {
        Corpus c = new Corpus(WORLD);
        Random r = new Random(11);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            b.append(c.document(r, 1280)).append('\n');
        }
        corpus = b.toString();
    }

    @Test
    void theSameSeedWritesTheSameDocuments() {
        Corpus c = new Corpus(new World(1));
        assertThat(c.document(new Random(3), 500)).isEqualTo(new Corpus(new World(1)).document(new Random(3), 500));
        assertThat(c.document(new Random(3), 500)).isNotEqualTo(c.document(new Random(4), 500));
    }

    @Test
    void noSampleTaskItemOccursInThePretrainingCorpus() {
        SampleTasks tasks = new SampleTasks(WORLD);
        List<String> items = new ArrayList<>();
        for (SampleTasks.Task t : List.of(tasks.sentiment(), tasks.topic(), tasks.novel())) {
            Stream.of(t.train(), t.validation(), t.test()).flatMap(List::stream).forEach(i -> items.add(i.input()));
        }
        items.addAll(tasks.generalText(60));
        assertThat(items).hasSizeGreaterThan(1000);
        assertThat(items).allSatisfy(i -> assertThat(corpus).doesNotContain(i));
    }

    @Test
    void theMadeUpWordsOfTheNovelTaskNeverOccurInThePretrainingCorpus() {
        for (String w : Texts.RESERVED_NONCE) {
            assertThat(Pattern.compile("(?i)\\b" + w + "\\b").matcher(corpus).find()).as(w).isFalse();
        }
    }

    @Test
    void reviewLabelsAreReadFromTheContextBecauseEachSequenceDrawsItsOwnMapping() {
        // Documents labelling reviews with positive/negative: the word "positive" marks praise in
        // about half of them and blame in the other half, so zero-shot is chance by construction.
        Matcher m = Pattern.compile("Review: ([^\\n]*)\\nSentiment: (positive|negative)\\n").matcher(corpus);
        int positiveMeansPraise = 0;
        int positiveMeansBlame = 0;
        while (m.find()) {
            if (!m.group(2).equals("positive")) {
                continue;
            }
            String review = m.group(1).toLowerCase();
            boolean praise = World.GOOD.stream().anyMatch(w -> review.matches(".*\\b" + w + "\\b.*"))
                    || World.GOOD_VERBS.stream().anyMatch(w -> review.matches(".*\\b" + w + "\\b.*"));
            if (praise) {
                positiveMeansPraise++;
            } else {
                positiveMeansBlame++;
            }
        }
        int all = positiveMeansPraise + positiveMeansBlame;
        assertThat(all).isGreaterThan(400);
        assertThat((double) positiveMeansPraise / all).isBetween(0.35, 0.65);
    }

    @Test
    void theTrainingAidsTagEachLabelWithItsClassAndFixOnePairWhileThePlainCorpusHasNeither() {
        Corpus aided = new Corpus(WORLD);
        int verdict = 0;
        int tagged = 0;
        int tags = 0;
        int tagsNamingTheClass = 0;
        for (int seed = 0; seed < 300; seed++) {
            String doc = aided.document(new Random(seed), Corpus.Kind.SENTIMENT, 600);
            String plain = aided.plain().document(new Random(seed), Corpus.Kind.SENTIMENT, 600);
            assertThat(plain).doesNotContain(" :)", " :(", " recommended");
            boolean fixedPair = doc.contains(" recommended") || doc.contains(": avoid");
            verdict += fixedPair ? 1 : 0;
            tagged += doc.contains(" :)") || doc.contains(" :(") ? 1 : 0;
            if (!fixedPair) {
                // the tags lengthen the lines, so the aided document may reach its length a line or two sooner
                assertThat(plain).as("seed %d: the same items and labels", seed)
                        .startsWith(doc.replace(" :)", "").replace(" :(", ""));
            }
            Matcher m = Pattern.compile("Review: ([^\\n]*)\\nSentiment: :([()]) ").matcher(doc);
            while (m.find()) {
                String review = m.group(1).toLowerCase();
                boolean praise = Stream.concat(World.GOOD.stream(), World.GOOD_VERBS.stream())
                        .anyMatch(w -> review.matches(".*\\b" + w + "\\b.*"));
                tags++;
                tagsNamingTheClass += praise == m.group(2).equals(")") ? 1 : 0;
            }
        }
        assertThat(verdict).as("documents with the fixed pair, of 300").isBetween(60, 120);
        assertThat(tagged).as("documents with class tags, of 300").isBetween(120, 180);
        assertThat(tags).isGreaterThan(100);
        assertThat((double) tagsNamingTheClass / tags).as("tags that name their review's class").isGreaterThan(0.95);
    }

    @Test
    void theCorpusMixesGeneralTextFactsAndDemonstrations() {
        assertThat(corpus).contains("Q: Where does ", "Sentiment: ", "Topic: ", "Category: ", " -> ", "Answer with ");
        World.Person mia = WORLD.person("Mia");
        assertThat(corpus).contains("Mia lives in " + mia.town() + ".");
        for (World.Person p : WORLD.people()) { // facts are fixed: a person lives in one town only
            assertThat(Pattern.compile("\\b" + p.name() + " lives in (\\w+)").matcher(corpus).results()
                    .map(x -> x.group(1)).distinct()).containsOnly(p.town());
        }
    }
}
