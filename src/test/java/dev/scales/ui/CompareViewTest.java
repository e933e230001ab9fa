package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Experiment;
import dev.scales.core.experiment.ExperimentRun;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.compare.CompareView;
import dev.scales.ui.compare.CompareViewModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.jfree.chart.fx.ChartViewer;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class CompareViewTest {
    @TempDir
    Path dir;

    private final ModelManager manager = new ModelManager();
    private final Path runs = Path.of("target", "test-config", "runs-" + java.util.UUID.randomUUID());
    private final HeldReports ui = new HeldReports();
    private final CompareViewModel vm = new CompareViewModel(manager, ui, runs);
    private CompareView view;

    @AfterEach
    void closeModels() {
        ui.release();
        manager.close();
    }

    @Start
    void start(Stage stage) {
        view = new CompareView(vm);
        Scene scene = new Scene(view, 1100, 900);
        scene.getStylesheets().add(ScalesApp.stylesheet());
        dev.scales.ui.common.Theme.LIGHT.apply(scene.getRoot()); // the look the app starts with
        stage.setScene(scene);
        stage.show();
    }

    /** The sentiment sample experiment, cut down to run in seconds: 24 test reviews, 2 seeds. */
    private Path smallExperiment() throws Exception {
        Path data = Path.of("sample-data/sentiment").toAbsolutePath();
        Files.write(dir.resolve("test.jsonl"), Files.readAllLines(data.resolve("test.jsonl")).subList(0, 24));
        Path file = dir.resolve("small.json");
        new Experiment("small sentiment", AppPaths.bundledModel(), data.resolve("train.jsonl"), dir.resolve("test.jsonl"),
                data.resolve("prompt-set.json"), null, 4, new Experiment.FineTune("lora", 1e-2f, 10, 8, 4), 16,
                List.of(4), 2).write(file);
        return file;
    }

    @Test
    void runningAnExperimentFillsTheGridTheOutputsAndTheChartAndExportsThem(FxRobot robot) throws Exception {
        Path file = smallExperiment();
        robot.interact(() -> vm.open(file));
        assertThat(robot.lookup("#compare-status").queryAs(Label.class).getText()).contains("small sentiment");

        List<String> details = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Double> shares = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> left = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> {
            vm.cells().get(3).detailProperty().addListener((o, was, now) -> details.add(now));
            vm.runProgress().fractionProperty().addListener((o, was, now) -> shares.add(now.doubleValue()));
            vm.runProgress().timeLeftProperty().addListener((o, was, now) -> left.add(now));
        });
        robot.clickOn("#run-experiment");
        assertThat(robot.lookup("#experiment-row").query().isVisible()).as("the bar, the time left, Cancel").isTrue();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.resultsProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        // the grid filled seed by seed while the bar moved and told the time left
        assertThat(details).contains("waiting for the first of 2 seeds", "so far: 1 of 2 seeds",
                "so far: 2 of 2 seeds");
        assertThat(shares).contains(-1.0, 0.25, 0.5, 0.75, 1.0);
        assertThat(left).anyMatch(t -> t.matches("about \\d+:\\d\\d left"));
        assertThat(robot.lookup("#experiment-row").query().isVisible()).isFalse();

        assertThat(vm.cells()).allSatisfy(c -> assertThat(c.valueProperty().get()).endsWith("%"));
        assertThat(robot.lookup("#outputs-table").queryAs(TableView.class).getItems()).hasSize(24);
        assertThat(robot.lookup("#labelled-chart").queryAs(ChartViewer.class).getChart()).isNotNull();
        assertThat(robot.lookup("#cost-chart").queryAs(ChartViewer.class).getChart().getXYPlot().getDomainMarkers(
                org.jfree.chart.ui.Layer.FOREGROUND)).hasSize(1); // the break-even line
        assertThat(robot.lookup("#compare-cost").queryAs(Label.class).getText()).contains("training tokens");
        for (String id : List.of("#labelled-chart", "#cost-chart")) {
            org.jfree.chart.JFreeChart chart = robot.lookup(id).queryAs(ChartViewer.class).getChart();
            assertThat(ChartChecks.legend(chart)).as(id).isEqualTo(ChartChecks.series(chart)).hasSize(2);
            for (var axis : List.of(chart.getXYPlot().getDomainAxis(), chart.getXYPlot().getRangeAxis())) {
                List<String> ticks = new java.util.ArrayList<>();
                robot.interact(() -> ticks.addAll(ChartChecks.ticks(chart, axis, 1800, 1400)));
                assertThat(ticks).as(id + " " + axis.getLabel()).hasSizeBetween(1, 10);
            }
        }
        var labelled = robot.lookup("#labelled-chart").queryAs(ChartViewer.class).getChart().getXYPlot();
        List<String> n = new java.util.ArrayList<>();
        robot.interact(() -> n.addAll(ChartChecks.ticks(robot.lookup("#labelled-chart").queryAs(ChartViewer.class)
                .getChart(), labelled.getDomainAxis(), 1800, 480)));
        assertThat(n).isNotEmpty().allMatch(l -> l.matches("[0-9,]+"), "whole numbers of labelled examples");
        assertThat(labelled.getRangeAxis().getRange()).isEqualTo(new org.jfree.data.Range(0, 1));
        robot.interact(() -> {
            try {
                Snapshots.save(view, "compare-view");
                dev.scales.ui.common.Presentation.apply(view, true);
                view.applyCss();
                view.layout();
                assertThat(labelled.getDomainAxis().getTickLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
                assertThat(labelled.getRangeAxis().getLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
                Snapshots.save(view, "compare-view-presentation");
                dev.scales.ui.common.Presentation.apply(view, false);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        robot.interact(() -> vm.filterProperty().set(CompareViewModel.Filter.ALL_WRONG));
        long allWrong = vm.resultsProperty().get().outputs().stream()
                .filter(o -> java.util.stream.IntStream.range(0, 4).noneMatch(o::correct)).count();
        assertThat(vm.shownOutputs()).hasSize((int) allWrong);

        exportsFileByFileAndCancelStopsOneBetweenTwoFiles(robot);
    }

    private void exportsFileByFileAndCancelStopsOneBetweenTwoFiles(FxRobot robot) throws Exception {
        JobProgress export = vm.exportProgress();
        ui.holdReport(2); // held after experiment.json and results.json
        robot.interact(() -> vm.export(dir.resolve("cancelled")));
        ui.awaitHeld();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> export.fractionProperty().get() > 0);
        javafx.scene.Node row = robot.lookup("#compare-export-row").query();
        assertThat(row.isVisible()).isTrue();
        assertThat(robot.lookup("#export-results").queryButton().isDisabled()).as("one export at a time").isTrue();
        robot.interact(() -> {
            try {
                Snapshots.save(row.getParent(), "compare-export-progress");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        robot.clickOn("#compare-export-cancel");
        ui.release();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.statusProperty().get().startsWith("export cancelled"));
        assertThat(dir.resolve("cancelled/results.json")).isNotEmptyFile();
        assertThat(dir.resolve("cancelled/grid.csv")).doesNotExist();
        assertThat(dir.resolve("cancelled/cost.png")).doesNotExist();
        assertThat(row.isVisible()).isFalse();

        List<Double> shares = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> export.fractionProperty().addListener((o, was, now) -> shares.add(now.doubleValue())));
        robot.interact(() -> vm.export(dir.resolve("export")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.statusProperty().get().startsWith("exported the results"));
        assertThat(dir.resolve("export/labelled.png")).isNotEmptyFile();
        assertThat(dir.resolve("export/outputs.csv")).isNotEmptyFile();
        assertThat(shares).startsWith(JobProgress.INDETERMINATE).endsWith(1.0).hasSizeGreaterThan(5);
        assertThat(shares.subList(1, shares.size())).isSorted();
        assertThat(row.isVisible()).isFalse();
    }

    @Test
    void theAppAndTheCommandLineGiveTheSameNumbers(FxRobot robot) throws Exception {
        Path file = smallExperiment();
        robot.interact(() -> vm.open(file));
        robot.interact(vm::run);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> vm.resultsProperty().get() != null);

        ExperimentRun.Results headless = ExperimentRun.run(Experiment.read(file), ai.djl.Device.cpu(), m -> { }, () -> false);
        assertThat(ExperimentRun.accuracies(vm.resultsProperty().get())).isEqualTo(ExperimentRun.accuracies(headless));
        assertThat(vm.resultsProperty().get().outputs()).isEqualTo(headless.outputs());

        // the app kept its run; the headless one, kept beside it, reads the same measure by measure
        assertThat(vm.keptRuns()).hasSize(1);
        dev.scales.core.experiment.RunRecords.save(headless, runs, java.time.LocalDateTime.now().plusMinutes(1));
        robot.interact(vm::refreshKeptRuns);
        assertThat(vm.keptRuns()).hasSize(2);
        robot.interact(() -> vm.chosenRunProperty().set(vm.keptRuns().get(0)));
        robot.interact(() -> robot.lookup("#side-by-side").queryButton().fire()); // below the fold of the scroll pane
        WaitForAsyncUtils.waitForFxEvents();
        TableView<?> table = robot.lookup("#run-comparison").queryAs(TableView.class);
        assertThat(table.getItems()).hasSizeGreaterThan(10);
        assertThat(vm.comparison()).filteredOn(r -> r.measure().startsWith("accuracy"))
                .hasSize(4).allSatisfy(r -> assertThat(r.second()).isEqualTo(r.first()));
        assertThat(table.getColumns().get(2).getText()).isEqualTo(vm.keptRuns().get(0).label());
        robot.interact(() -> {
            try {
                Snapshots.save(table.getParent(), "compare-side-by-side");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        robot.interact(() -> vm.exportComparison(dir.resolve("side-by-side.csv")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> vm.statusProperty().get().startsWith("exported the comparison"));
        assertThat(Files.readAllLines(dir.resolve("side-by-side.csv"))).hasSize(table.getItems().size() + 1);
    }

    @Test
    void aBrokenExperimentFileIsReportedAndTheViewKeepsWorking(FxRobot robot) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"schema\": \"scales-experiment\", \"version\": 1}");
        robot.interact(() -> vm.open(bad));
        assertThat(robot.lookup("#compare-status").queryAs(Label.class).getText()).contains("\"task\" is missing");
        assertThat(robot.lookup("#run-experiment").queryButton().isDisabled()).isTrue();
    }

    @Test
    void anExperimentNamingFilesFromElsewhereOpensOnlyOnceTheUserAgrees(FxRobot robot) throws Exception {
        Path home = Path.of("").toAbsolutePath();
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.copy(home.resolve("sample-data/sentiment/train.jsonl"), elsewhere.resolve("train.jsonl"));
        Path file = Files.createDirectories(dir.resolve("shared")).resolve("experiment.json");
        Files.writeString(file, Files.readString(home.resolve("sample-data/experiments/sentiment.json"))
                .replace("../../assets", home.resolve("assets").toString())
                .replace("\"../sentiment/train.jsonl\"", "\"../elsewhere/train.jsonl\"")
                .replace("\"../sentiment/", "\"" + home.resolve("sample-data/sentiment") + "/")
                .replace("\"../general/", "\"" + home.resolve("sample-data/general") + "/"));
        Experiment before = vm.experimentProperty().get();

        List<List<String>> asked = new java.util.ArrayList<>();
        robot.interact(() -> asked.add(vm.open(file, false)));

        assertThat(asked.get(0)).containsExactly("task.train: " + elsewhere.resolve("train.jsonl").toRealPath());
        assertThat(vm.experimentProperty().get()).isSameAs(before);
        assertThat(vm.statusProperty().get()).contains("reads files outside its folder");
        robot.interact(() -> vm.open(file, true));
        assertThat(vm.experimentProperty().get().train()).isEqualTo(elsewhere.resolve("train.jsonl"));
    }
}
