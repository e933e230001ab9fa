package dev.scales.core.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import dev.scales.core.corpus.Corpus;
import dev.scales.core.corpus.World;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainTest {
    /** A model small enough to train in a test: 2 layers of 32, 64-token context, 400-token vocabulary. */
    private static Pretrain.Settings tiny(int steps) {
        return new Pretrain.Settings("llama", 5, steps, 4, 64, 3e-3f, 2, 400, 32, 2, 2, 3f, 1000, 0, 0, 0, 0, 0, 1);
    }

    private static Pretrain.Listener collecting(List<Pretrain.Step> steps, List<Pretrain.Probe> probes) {
        return new Pretrain.Listener() {
            @Override
            public void onStep(Pretrain.Step step) {
                steps.add(step);
            }

            @Override
            public void onProbe(Pretrain.Probe probe) {
                probes.add(probe);
            }
        };
    }

    @Test
    void trainsALoadableModelFolderFromScratchAndTheLossFalls(@TempDir Path dir) {
        List<Pretrain.Step> steps = new ArrayList<>();
        List<Pretrain.Probe> probes = new ArrayList<>();
        Pretrain.Result r = Pretrain.run(dir, tiny(30), collecting(steps, probes), () -> false);
        PretrainReport.write(r, tiny(30), "pretrain --out " + dir);

        assertThat(steps).hasSize(30);
        double first = steps.subList(0, 3).stream().mapToDouble(Pretrain.Step::loss).average().orElseThrow();
        double last = steps.subList(27, 30).stream().mapToDouble(Pretrain.Step::loss).average().orElseThrow();
        assertThat(last).isLessThan(first - 0.5);
        assertThat(probes).extracting(Pretrain.Probe::step).containsExactly(0, 30);
        assertThat(dir.resolve("README.md")).content().contains("pretrain --out", "30 steps");
        assertThat(dir.resolve("training-log.csv")).content().startsWith("step,loss,learning_rate");
        assertThat(dir.resolve("icl-probes.csv")).content().startsWith("step,zero_shot,eight_shot,eight_shot_flipped,copy,"
                + "word_map_first_label,word_map_later_labels,polarity_first_label");
        assertThat(probes.get(1).context()).containsOnlyKeys(ContextProbe.KINDS)
                .allSatisfy((kind, score) -> assertThat(score.late()).isBetween(0.0, 1.0));
        assertThat(probes.get(1).copy()).isBetween(0.0, 1.0);
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            assertThat(m.config().vocabSize()).isEqualTo(400);
            assertThat(m.contextLength()).isEqualTo(64);
            assertThat(m.tokenizer().encode("Review: the soup was delicious.", false).length).isLessThan(20);
        }
    }

    @Test
    void theSameSeedRebuildsTheSameModel(@TempDir Path a, @TempDir Path b) throws Exception {
        Pretrain.Listener quiet = collecting(new ArrayList<>(), new ArrayList<>());
        Pretrain.run(a, tiny(3), quiet, () -> false);
        Pretrain.run(b, tiny(3), quiet, () -> false);
        assertThat(Files.mismatch(a.resolve("tokenizer.json"), b.resolve("tokenizer.json"))).isEqualTo(-1L);
        assertThat(Files.mismatch(a.resolve("model.safetensors"), b.resolve("model.safetensors"))).isEqualTo(-1L);
    }

    @Test
    void labelWordsWeighMoreAndAreTokenizedAsInTheWholeText(@TempDir Path dir) {
        Pretrain.run(dir, tiny(1), collecting(new ArrayList<>(), new ArrayList<>()), () -> false);
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            Corpus corpus = new Corpus(new World(5));
            Pretrain.Batch b = Pretrain.batch(m, corpus, tiny(1), 7);
            Random r = new Random(5 * 1_000_003L + 7);
            Corpus.Document first = corpus.labelled(r, Pretrain.kind(r, tiny(1), 7), 64 * (1 + r.nextInt(5)));
            long[] whole = m.tokenizer().encode(first.text(), false);
            assertThat(b.ids()[0]).startsWith(Arrays.copyOf(whole, Math.min(65, whole.length)));
            for (int row = 0; row < b.ids().length; row++) {
                for (int i = 0; i < b.weights()[row].length; i++) {
                    assertThat(b.weights()[row][i]).isIn(1f, 3f);
                }
            }
            long labelled = Arrays.stream(b.weights()).mapToLong(w -> IntStream.range(0, w.length)
                    .filter(i -> w[i] == 3f).count()).sum();
            assertThat(labelled).as("demonstration labels in a batch of 4 × 64 tokens").isPositive();
        }
    }

    @Test
    void documentsEndWithTheEndOfTextTokenAndManyRowsHoldTwo(@TempDir Path dir) {
        Pretrain.run(dir, tiny(1), collecting(new ArrayList<>(), new ArrayList<>()), () -> false);
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            assertThat(m.tokenizer().encode(Pretrain.END_OF_TEXT, false)).containsExactly(0L);
            Corpus corpus = new Corpus(new World(5));
            long rowsWithABoundary = IntStream.range(0, 10).mapToObj(step -> Pretrain.batch(m, corpus, tiny(1), step))
                    .flatMap(b -> Arrays.stream(b.ids()))
                    .filter(row -> Arrays.stream(row, 1, row.length - 1).anyMatch(id -> id == 0)).count();
            assertThat(rowsWithABoundary).as("rows of 10 batches × 4 with a document boundary inside").isBetween(4L, 36L);
        }
    }

    @Test
    void theCurriculumTrainsPolarWordsThenReviewsThenTheWholeMix() {
        Pretrain.Settings s = new Pretrain.Settings("llama", 1, 100, 4, 64, 1e-3f, 10, 400, 32, 2, 2, 1f, 10, 0, 0, 20, 40, 0, 1);
        Random r = new Random(3);
        Map<Integer, Map<Corpus.Kind, Long>> counts = new java.util.TreeMap<>();
        for (int step : new int[] {0, 19, 20, 39, 40}) {
            counts.put(step, IntStream.range(0, 1000).mapToObj(i -> Pretrain.kind(r, s, step))
                    .collect(java.util.stream.Collectors.groupingBy(k -> k, () -> new java.util.EnumMap<>(Corpus.Kind.class),
                            java.util.stream.Collectors.counting())));
        }
        assertThat(counts.get(0)).containsOnlyKeys(Corpus.Kind.POLARITY);
        assertThat(counts.get(19)).containsOnlyKeys(Corpus.Kind.POLARITY);
        assertThat(counts.get(20)).containsOnlyKeys(Corpus.Kind.SENTIMENT, Corpus.Kind.POLARITY);
        assertThat(counts.get(39).get(Corpus.Kind.SENTIMENT)).as("reviews in 1,000 documents").isBetween(650L, 750L);
        assertThat(counts.get(40)).as("the whole mix").containsOnlyKeys(Corpus.Kind.values());
    }

    @Test
    void theCopyStepsTrainOnRandomTokenSegmentsRepeatedToTheEndOfTheRow() {
        Pretrain.Settings s = new Pretrain.Settings("llama", 1, 100, 4, 64, 1e-3f, 10, 400, 32, 2, 2, 3f, 10, 0, 20, 0, 0, 0, 1);
        for (int step : new int[] {0, 19}) {
            Pretrain.Batch b = Pretrain.batch(null, null, s, step); // no model or corpus: copy rows need neither
            for (int i = 0; i < b.ids().length; i++) {
                long[] row = b.ids()[i];
                assertThat(row).hasSize(65);
                assertThat(Arrays.stream(row).min().orElseThrow()).isGreaterThanOrEqualTo(1L);
                assertThat(Arrays.stream(row).max().orElseThrow()).isLessThan(400L);
                assertThat(ContextProbe.period(row)).as("segment length").isBetween(10, 30);
                assertThat(b.weights()[i]).hasSize(64).containsOnly(1f);
            }
        }
        assertThat(Pretrain.batch(null, null, s, 0).ids()).as("each step draws its own rows")
                .isNotEqualTo(Pretrain.batch(null, null, s, 1).ids());
        assertThatThrownBy(() -> new Pretrain.Settings("llama", 1, 5, 4, 64, 1e-3f, 2, 400, 32, 2, 2, 1f, 10, 0, 6, 0, 0, 0, 1))
                .isInstanceOf(ScalesException.class).hasMessageContaining("the copy steps");
    }

    @Test
    void aRowsPeriodIsWhereItsTokensStartRepeating() {
        assertThat(ContextProbe.period(new long[] {5, 6, 7, 5, 6, 7, 5})).isEqualTo(3);
        assertThat(ContextProbe.period(new long[] {5, 6, 7, 8})).isEqualTo(4);
    }

    @Test
    void stoppingEndsTheRunWithTheStepsDoneSoFar(@TempDir Path dir) {
        List<Pretrain.Step> steps = new ArrayList<>();
        Pretrain.Result r = Pretrain.run(dir, tiny(50), collecting(steps, new ArrayList<>()), () -> steps.size() >= 2);
        assertThat(r.steps()).isEqualTo(2);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(dir.resolve("model.safetensors")).exists();
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> new Pretrain.Settings("llama", 1, 0, 4, 64, 1e-3f, 2, 400, 32, 2, 2, 1f, 10, 0, 0, 0, 0, 0, 1))
                .isInstanceOf(ScalesException.class).hasMessageContaining("the number of steps");
        assertThatThrownBy(() -> new Pretrain.Settings("llama", 1, 5, 4, 64, 1e-3f, 2, 400, 32, 2, 2, 1f, 10, 0, 0, 6, 6, 0, 1))
                .hasMessageContaining("the polarity steps");
        assertThatThrownBy(() -> new Pretrain.Settings("llama", 1, 5, 4, 64, 1e-3f, 2, 400, 32, 2, 2, 1f, 10, 0, 0, 3, 2, 0, 1))
                .hasMessageContaining("the review steps must be between the polarity steps (3)");
        assertThatThrownBy(() -> new Pretrain.Settings("qwen2", 1, 5, 4, 64, 1e-3f, 2, 400, 32, 2, 2, 1f, 10, 0, 0, 0, 0, 1, 3))
                .hasMessageContaining("the previous-token layers must be between 1 and the number of layers (2)");
        assertThatThrownBy(() -> new Pretrain.Settings("llama", 1, 5, 4, 64, 1e-3f, 2, 400, 30, 2, 4, 1f, 10, 0, 0, 0, 0, 0, 1))
                .isInstanceOf(ScalesException.class).hasMessageContaining("the hidden size (30) must be divisible by the number of heads (4)");
    }

    @Test
    void theLearningRateWarmsUpThenFallsToATenth() {
        Pretrain.Settings s = new Pretrain.Settings("llama", 1, 100, 4, 64, 1e-3f, 10, 400, 32, 2, 2, 1f, 10, 0, 0, 0, 0, 0, 1);
        assertThat(s.learningRateAt(0)).isCloseTo(1e-4f, org.assertj.core.data.Offset.offset(1e-9f));
        assertThat(s.learningRateAt(10)).isCloseTo(1e-3f, org.assertj.core.data.Offset.offset(1e-9f));
        assertThat(s.learningRateAt(99)).isCloseTo(1e-4f, org.assertj.core.data.Offset.offset(1e-6f));
    }
}
