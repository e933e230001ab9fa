package dev.scales.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.Demonstrations;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShotSweepTest {
    static LoadedModel model;
    static final PromptSet SET = new PromptSet("", FewShotEvaluatorTest.TEMPLATE, FewShotEvaluatorTest.labels(),
            List.of(new Example("good", "pos"), new Example("bad", "neg"), new Example("fine", "pos"),
                    new Example("grim", "neg")));

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static ShotSweep.Settings settings(List<ShotSweep.Variant> variants) {
        return new ShotSweep.Settings(List.of(0, 1, 2, 4), 3, Demonstrations.Choice.BALANCED, variants,
                FewShotEvaluator.Options.DEFAULT);
    }

    @Test
    void everySeriesGetsEveryKAndPointsArriveKByK() {
        List<ShotSweep.Point> arrived = new ArrayList<>();
        ShotSweep.Result r = ShotSweep.run(model, SET, FewShotEvaluatorTest.TEST,
                settings(List.of(ShotSweep.Variant.values())), arrived::add, () -> false);

        assertThat(r.note()).isEmpty();
        assertThat(arrived).isEqualTo(r.points());
        assertThat(r.points()).extracting(ShotSweep.Point::k).containsExactly(0, 0, 0, 1, 1, 1, 2, 2, 2, 4, 4, 4);
        assertThat(r.points()).extracting(ShotSweep.Point::variant).startsWith(ShotSweep.Variant.GOLD,
                ShotSweep.Variant.RANDOM_LABELS, ShotSweep.Variant.CALIBRATED);
        // zero-shot: one run, nothing to draw; random labels have nothing to replace
        assertThat(r.points().get(0).accuracies()).hasSize(1);
        assertThat(r.points().get(1).accuracies()).isEqualTo(r.points().get(0).accuracies());
        assertThat(r.points().get(3).accuracies()).hasSize(3);
        for (ShotSweep.Point p : r.points()) {
            assertThat(p.mean()).isEqualTo(p.accuracies().stream().mapToDouble(Double::doubleValue).average()
                    .orElseThrow());
        }
    }

    @Test
    void eachVariantMeasuresWhatItSays() {
        // gold alone equals the gold series of a full sweep; calibrated equals evaluating with calibration on
        ShotSweep.Result gold = ShotSweep.run(model, SET, FewShotEvaluatorTest.TEST,
                settings(List.of(ShotSweep.Variant.GOLD)), p -> { }, () -> false);
        ShotSweep.Result calibrated = ShotSweep.run(model, SET, FewShotEvaluatorTest.TEST,
                settings(List.of(ShotSweep.Variant.CALIBRATED)), p -> { }, () -> false);
        ShotSweep.Result all = ShotSweep.run(model, SET, FewShotEvaluatorTest.TEST,
                settings(List.of(ShotSweep.Variant.values())), p -> { }, () -> false);

        assertThat(all.points().stream().filter(p -> p.variant() == ShotSweep.Variant.GOLD).toList())
                .isEqualTo(gold.points());
        List<Example> twoShots = Demonstrations.choose(SET.examples(), 2, Demonstrations.Choice.BALANCED, true, 0,
                null);
        double expected = FewShotEvaluator.evaluate(model, SET.prompt(twoShots, ""), SET.labels(),
                FewShotEvaluatorTest.TEST, new FewShotEvaluator.Options(true, false, true), i -> { }, () -> false)
                .metrics().accuracy();
        assertThat(calibrated.points().get(2).k()).isEqualTo(2);
        assertThat(calibrated.points().get(2).accuracies().get(0)).isEqualTo(expected);
    }

    @Test
    void thePointsSaveAsCsvWithOneColumnPerSeed(@TempDir Path dir) throws Exception {
        ShotSweep.Result r = ShotSweep.run(model, SET, FewShotEvaluatorTest.TEST,
                settings(List.of(ShotSweep.Variant.GOLD, ShotSweep.Variant.RANDOM_LABELS)), p -> { }, () -> false);
        Path csv = dir.resolve("sweep.csv");

        ShotSweep.writeCsv(csv, r.points());

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(1 + 8);
        assertThat(lines.get(0)).isEqualTo("variant,k,mean,std,seed_0,seed_1,seed_2");
        assertThat(lines.get(1)).startsWith("gold labels,0,");
        assertThat(lines.get(4)).startsWith("random labels,1,");
    }

    @Test
    void variantsAreNamedAsOnTheCommandLineAndAtLeastOneIsNeeded() {
        assertThat(ShotSweep.Variant.parse("random-labels")).isEqualTo(ShotSweep.Variant.RANDOM_LABELS);
        assertThat(ShotSweep.Variant.parse(" Calibrated")).isEqualTo(ShotSweep.Variant.CALIBRATED);
        assertThatThrownBy(() -> ShotSweep.Variant.parse("shuffled")).isInstanceOf(ScalesException.class)
                .hasMessageContaining("\"shuffled\"").hasMessageContaining("gold, random-labels or calibrated");
        assertThatThrownBy(() -> settings(List.of())).hasMessageContaining("at least one variant");
    }
}
