package dev.scales.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.experiment.ExperimentReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small experiment on the bundled model, run headless twice. */
class ExperimentRunTest {
    @TempDir
    Path dir;
    private Experiment experiment;

    @BeforeEach
    void smallExperiment() throws IOException {
        Path data = Path.of("sample-data/sentiment");
        Files.write(dir.resolve("test.jsonl"), Files.readAllLines(data.resolve("test.jsonl")).subList(0, 24));
        experiment = new Experiment("small", AppPaths.bundledModel(), data.resolve("train.jsonl").toAbsolutePath(),
                dir.resolve("test.jsonl"), data.resolve("prompt-set.json").toAbsolutePath(),
                Path.of("sample-data/general/held-out.txt").toAbsolutePath(), 4,
                new Experiment.FineTune("lora", 1e-2f, 10, 8, 4), 16, List.of(2, 8), 2);
    }

    @Test
    void writesTheGridOutputsCurvesAndChartsWithTheSameNumbersEveryRun() throws IOException {
        List<String> progress = new ArrayList<>();
        ExperimentRun.Results first = ExperimentRun.run(experiment, progress::add, () -> false);
        ExperimentReport.write(first, dir.resolve("out"));

        assertThat(first.grid()).extracting(ExperimentRun.Cell::method).containsExactlyElementsOf(ExperimentRun.METHODS);
        assertThat(first.grid()).allSatisfy(c -> assertThat(c.accuracy().values()).hasSize(2)
                .allSatisfy(a -> assertThat(a).isBetween(0.0, 1.0)));
        assertThat(first.grid().get(1).promptTokensPerPrediction())
                .isGreaterThan(first.grid().get(0).promptTokensPerPrediction() + 20); // four demonstrations
        assertThat(first.outputs()).hasSize(24).allSatisfy(o -> assertThat(o.predicted()).hasSize(4)
                .allSatisfy(p -> assertThat(p).isIn("positive", "negative")));
        assertThat(first.labelledIcl().points()).extracting(p -> (int) p.x()).containsExactly(2, 8);
        assertThat(first.cost().trainingTokens()).isPositive();
        assertThat(first.cost().breakEvenByTokens()).isPositive();
        assertThat(first.forgetting().basePerplexity()).isGreaterThan(1);
        assertThat(progress).anyMatch(m -> m.startsWith("seed 2/2"));
        for (String f : List.of("results.json", "grid.csv", "outputs.csv", "labelled.csv", "labelled.png", "grid.png", "cost.png",
                "labelled.svg", "grid.svg", "cost.svg", "experiment.json")) {
            assertThat(dir.resolve("out").resolve(f)).isNotEmptyFile();
        }
        assertThat(dir.resolve("out/cost.svg")).content().startsWith("<?xml").contains("<svg", "break-even");
        assertThat(Files.readAllLines(dir.resolve("out/outputs.csv"))).hasSize(25);

        ExperimentRun.Results again = ExperimentRun.run(experiment, m -> { }, () -> false);
        assertThat(ExperimentRun.accuracies(again)).isEqualTo(ExperimentRun.accuracies(first));
        assertThat(again.labelledFineTuned()).isEqualTo(first.labelledFineTuned());
    }
}
