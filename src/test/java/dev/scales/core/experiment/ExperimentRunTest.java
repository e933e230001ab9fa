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
        List<Double> done = new ArrayList<>();
        java.util.Map<Integer, List<Studies.Point>> cells = new java.util.TreeMap<>();
        ExperimentRun.Results first = ExperimentRun.run(experiment, ai.djl.Device.cpu(), new ExperimentRun.Progress() {
            @Override
            public void message(String line) {
                progress.add(line);
            }

            @Override
            public void done(double fraction) {
                done.add(fraction);
            }

            @Override
            public void cell(int method, Studies.Point accuracySoFar) {
                cells.computeIfAbsent(method, m -> new ArrayList<>()).add(accuracySoFar);
            }
        }, () -> false);
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
        // one tick per fine-tune (2 seeds × the grid and N = 2 and 8), ending at 1
        assertThat(done).containsExactly(1 / 6.0, 2 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 1.0);
        // each cell as its seeds come in, the last report being the cell's result
        assertThat(cells).hasSize(4).allSatisfy((method, reports) -> {
            assertThat(reports).extracting(r -> r.values().size()).containsExactly(1, 2);
            assertThat(reports.get(1).values()).isEqualTo(first.grid().get(method).accuracy().values());
        });
        for (String f : List.of("results.json", "grid.csv", "outputs.csv", "labelled.csv", "labelled.png", "grid.png", "cost.png",
                "labelled.svg", "grid.svg", "cost.svg", "experiment.json")) {
            assertThat(dir.resolve("out").resolve(f)).isNotEmptyFile();
        }
        assertThat(dir.resolve("out/cost.svg")).content().startsWith("<?xml").contains("<svg", "break-even");
        assertThat(Files.readAllLines(dir.resolve("out/outputs.csv"))).hasSize(25);

        // again, one cell at a time: the numbers do not depend on how many cells ran side by side
        ExperimentRun.Results again = ExperimentRun.run(experiment, ai.djl.Device.cpu(), ExperimentRun.Base.AS_SAVED, 1,
                m -> { }, () -> false);
        assertThat(ExperimentRun.accuracies(again)).isEqualTo(ExperimentRun.accuracies(first));
        assertThat(again.labelledFineTuned()).isEqualTo(first.labelledFineTuned());
        assertThat(again.labelledIcl()).isEqualTo(first.labelledIcl());
    }

    @Test
    void anAdapterIsMergedIntoTheBaseFirstAndChatFormatNeedsATemplate() throws IOException {
        Experiment one = new Experiment("small · one seed", experiment.model(), experiment.train(), experiment.test(),
                experiment.promptSet(), experiment.generalText(), 2, experiment.fineTune(), 8, List.of(2), 1);
        Path adapter = dir.resolve("adapter");
        try (var model = dev.scales.core.model.ModelLoader.load(experiment.model(), ai.djl.Device.cpu())) {
            var set = dev.scales.core.prompt.PromptSet.read(experiment.promptSet());
            var items = Lab.items(experiment.train()).subList(0, 16);
            try (var adapters = dev.scales.core.experiment.Lab.fineTune(model, set, items,
                    dev.scales.core.experiment.Lab.settings(model, true, 1e-2f, 5, 4, 4, 0)).adapters()) {
                adapters.save(adapter, model);
            }
        }

        ExperimentRun.Results base = ExperimentRun.run(one, ai.djl.Device.cpu(), m -> { }, () -> false);
        ExperimentRun.Results adapted = ExperimentRun.run(one, ai.djl.Device.cpu(),
                new ExperimentRun.Base(adapter, false), m -> { }, () -> false);

        assertThat(adapted.forgetting().basePerplexity()).isNotEqualTo(base.forgetting().basePerplexity());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExperimentRun.run(one, ai.djl.Device.cpu(),
                        new ExperimentRun.Base(null, true), m -> { }, () -> false))
                .hasMessageContaining("no chat template");
    }

    @Test
    void aRunIsKeptReadBackWholeAndLaidBesideAnother() throws IOException {
        Experiment one = new Experiment("small · one seed", experiment.model(), experiment.train(), experiment.test(),
                experiment.promptSet(), experiment.generalText(), 2, experiment.fineTune(), 8, List.of(2), 1);
        ExperimentRun.Results r = ExperimentRun.run(one, ai.djl.Device.cpu(), m -> { }, () -> false);
        Path runs = dir.resolve("runs");

        RunRecords.Record older = RunRecords.save(r, runs, java.time.LocalDateTime.of(2026, 11, 26, 9, 5, 0));
        RunRecords.Record newer = RunRecords.save(r, runs, java.time.LocalDateTime.of(2026, 11, 26, 10, 30, 0));
        ExperimentRun.Results back = ExperimentReport.read(newer.dir());

        assertThat(RunRecords.list(runs)).containsExactly(newer, older);
        assertThat(newer.label()).isEqualTo("2026-11-26 10:30 · small-one-seed");
        assertThat(back).usingRecursiveComparison().ignoringFields("experiment").isEqualTo(r);
        assertThat(back.experiment().name()).isEqualTo(one.name());
        assertThat(back.experiment().model().toRealPath()).isEqualTo(one.model().toRealPath());

        List<RunRecords.Row> rows = RunRecords.compare(r, back);
        assertThat(rows).extracting(RunRecords.Row::measure).contains("model", "device", "run time",
                "accuracy: base, zero-shot", "accuracy: fine-tuned, few-shot", "training",
                "break-even (predictions, by tokens)", "forgetting (held-out perplexity)", "N = 2: in context / fine-tuned");
        assertThat(rows).allSatisfy(row -> assertThat(row.second()).isEqualTo(row.first()));
        assertThat(rows).filteredOn(row -> row.measure().equals("accuracy: base, few-shot")).singleElement()
                .satisfies(row -> assertThat(row.first()).matches("\\d+\\.\\d% ± \\d+\\.\\d \\(2 shots\\)"));

        // a damaged record is named, not half read
        Files.writeString(older.dir().resolve("results.json"), "{\"grid\": [");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExperimentReport.read(older.dir()))
                .isInstanceOf(dev.scales.core.ScalesException.class)
                .hasMessageStartingWith(older.dir().resolve("results.json") + ": not a Scales run record");
    }
}
