package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Lesson;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.lesson.LessonView;
import dev.scales.ui.lesson.LessonViewModel;
import dev.scales.ui.lesson.LessonViewModel.State;
import dev.scales.ui.lesson.LessonViewModel.Step;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.jfree.chart.fx.ChartViewer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class LessonViewTest {
    static final int PRACTICE_STEPS = 60; // fewer than the app's 100: the loss still falls, the test stays short
    private final ModelManager manager = new ModelManager();
    private final HeldReports ui = new HeldReports();
    private final LessonViewModel vm = new LessonViewModel(manager, ui, () -> {
        SampleTasks tasks = new SampleTasks(new World(1));
        return new Lesson(AppPaths.bundledModel(), tasks.sentiment(), String.join("\n\n", tasks.generalText(3)), 48,
                PRACTICE_STEPS);
    });

    @AfterEach
    void close() {
        ui.release();
        vm.close();
        manager.close();
    }

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new LessonView(vm), 1200, 720));
        stage.getScene().getStylesheets().add(ScalesApp.stylesheet());
        dev.scales.ui.common.Theme.LIGHT.apply(stage.getScene().getRoot()); // the look the app starts with
        stage.show();
    }

    private void runStep(FxRobot robot, Step step) throws Exception {
        robot.clickOn("#lesson-run-" + step.name().toLowerCase(java.util.Locale.ROOT));
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> vm.stateProperty(step).get() != State.RUNNING
                && !vm.busyProperty().get());
        assertThat(vm.stateProperty(step).get()).as(vm.resultProperty(step).get()).isEqualTo(State.DONE);
    }

    @Test
    void eachStepRunsWithOneClickAndShowsItsResultAndChart(FxRobot robot) throws Exception {
        runStep(robot, Step.GENERAL);
        assertThat(robot.lookup("#lesson-result-general").queryLabeled().getText()).startsWith("Zero-shot accuracy");

        runStep(robot, Step.PRACTICE);
        ChartViewer loss = robot.lookup("#lesson-loss").queryAs(ChartViewer.class);
        assertThat(loss.isVisible()).isTrue();
        assertThat(loss.getChart().getXYPlot().getDataset().getItemCount(0)).isEqualTo(PRACTICE_STEPS);
        assertThat(robot.lookup("#lesson-result-practice").queryLabeled().getText())
                .contains(PRACTICE_STEPS + " steps").contains("zero-shot accuracy now");

        runStep(robot, Step.IMPROVISE);
        ChartViewer shots = robot.lookup("#lesson-shots").queryAs(ChartViewer.class);
        assertThat(shots.isVisible()).isTrue();
        assertThat(loss.isVisible()).isFalse();
        assertThat(shots.getChart().getXYPlot().getDataset().getItemCount(0)).isEqualTo(Lesson.SHOTS.size());

        runStep(robot, Step.BOTH);
        ChartViewer both = robot.lookup("#lesson-both").queryAs(ChartViewer.class);
        assertThat(both.getChart().getCategoryPlot().getDataset().getColumnCount()).isEqualTo(2); // 0 and k shots
        assertThat(both.getChart().getCategoryPlot().getDataset().getRowCount()).isEqualTo(2); // base, fine-tuned
        assertThat(robot.lookup("#lesson-result-both").queryLabeled().getText()).contains("perplexity");
        robot.interact(() -> {
            try {
                Snapshots.save(robot.lookup("#lesson").query(), "lesson");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aStepShowsItsShareDoneAndCancelStopsItThenAnotherStepRuns(FxRobot robot) throws Exception {
        JobProgress step = vm.progress();
        ui.holdReport(2); // held after two of the improvisation's evaluations
        robot.clickOn("#lesson-run-improvise");
        ui.awaitHeld();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> step.fractionProperty().get() > 0);
        javafx.scene.Node row = robot.lookup("#lesson-row").query();
        assertThat(row.isVisible()).isTrue();
        robot.interact(() -> {
            try {
                Snapshots.save(robot.lookup("#lesson").query(), "lesson-progress");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        robot.clickOn("#lesson-cancel");
        ui.release();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.busyProperty().get());
        assertThat(vm.resultProperty(Step.IMPROVISE).get()).isEqualTo("cancelled");
        assertThat(vm.shots()).isEmpty();
        assertThat(row.isVisible()).isFalse();

        java.util.List<Double> shares = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> step.fractionProperty().addListener((o, was, now) -> shares.add(now.doubleValue())));
        runStep(robot, Step.GENERAL);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(shares).containsExactly(JobProgress.INDETERMINATE, 1 / 3.0, 2 / 3.0, 1.0);
        assertThat(row.isVisible()).isFalse();
    }

    @Test
    void closingDuringPracticeCancelsItWaitsForItThenFrees(FxRobot robot) throws Exception {
        robot.interact(() -> vm.run(Step.PRACTICE));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.losses().isEmpty()); // training, on the lesson's models

        vm.close(); // as the window's closing does

        // the practice job has ended before its models were freed: nothing runs on them any more
        assertThat(manager.jobs()).isEmpty();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.stateProperty(Step.PRACTICE).get()).isIn(State.FAILED, State.DONE);
    }

    @Test
    void theLastStepPractisesFirstWhenNobodyHas(FxRobot robot) throws Exception {
        runStep(robot, Step.BOTH);

        assertThat(vm.losses()).hasSize(PRACTICE_STEPS);
        assertThat(vm.bothProperty().get()).isNotNull();
        assertThat(vm.stateProperty(Step.PRACTICE).get()).as("the practice card itself was not run")
                .isEqualTo(State.READY);
    }

    @Test
    void theLastStepChartsTheAccuraciesAndWhatFineTuningForgotWithTheLessonsOwnNumbers(FxRobot robot) throws Exception {
        // when
        runStep(robot, Step.BOTH);

        // then: the accuracy of each combination, base and fine-tuned side by side, each written as a percentage
        Lesson.Both b = vm.bothProperty().get();
        ChartViewer both = robot.lookup("#lesson-both").queryAs(ChartViewer.class);
        ChartViewer forgetting = robot.lookup("#lesson-forgetting").queryAs(ChartViewer.class);
        assertThat(both.isVisible() && forgetting.isVisible()).isTrue();
        var accuracy = both.getChart().getCategoryPlot();
        assertThat(ChartChecks.legend(both.getChart())).containsExactly("base model", "fine-tuned model")
                .isEqualTo(ChartChecks.series(both.getChart()));
        assertThat(values(accuracy)).containsExactly(b.baseZeroShot(), b.baseFewShot(), b.tunedZeroShot(),
                b.tunedFewShot());
        assertThat(accuracy.getDataset().getColumnKey(1).toString()).startsWith(Lesson.SHOTS.get(Lesson.SHOTS.size() - 1)
                + " examples");
        assertThat(label(accuracy, 1, 1)).endsWith("%").isEqualTo(
                java.text.NumberFormat.getPercentInstance(java.util.Locale.ROOT).format(b.tunedFewShot()));
        assertThat(accuracy.getRangeAxis().getRange()).isEqualTo(new org.jfree.data.Range(0, 1));

        // and the perplexity on held-out general text before and after fine-tuning, as the lesson measured it
        var forgot = forgetting.getChart().getCategoryPlot();
        assertThat(ChartChecks.legend(forgetting.getChart())).containsExactly("base model", "fine-tuned model");
        assertThat(values(forgot)).containsExactly(b.perplexityBefore(), b.perplexityAfter());
        assertThat(forgot.getRangeAxis().getLabel()).contains("perplexity");
        assertThat(label(forgot, 1, 0)).isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", b.perplexityAfter()));

        // a zoom into the accuracy axis, then a double-click: 0–1 again
        robot.interact(() -> LossChartTest.wheel(both, true));
        assertThat(accuracy.getRangeAxis().getRange()).isNotEqualTo(new org.jfree.data.Range(0, 1));
        robot.interact(() -> LossChartTest.doubleClick(both));
        assertThat(accuracy.getRangeAxis().getRange()).isEqualTo(new org.jfree.data.Range(0, 1));

        // in presentation mode both charts' type grows
        robot.interact(() -> dev.scales.ui.common.Presentation.apply(robot.lookup("#lesson").queryAs(
                javafx.scene.Parent.class), true));
        for (var plot : java.util.List.of(accuracy, forgot)) {
            assertThat(plot.getRangeAxis().getTickLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
            assertThat(plot.getDomainAxis().getTickLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
            assertThat(plot.getRenderer().getDefaultItemLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
        }
        robot.interact(() -> {
            try {
                Snapshots.save(robot.lookup("#lesson").query(), "lesson-both-presentation");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A bar chart's values, series by series. */
    private static java.util.List<Double> values(org.jfree.chart.plot.CategoryPlot plot) {
        var data = plot.getDataset();
        java.util.List<Double> values = new java.util.ArrayList<>();
        for (int row = 0; row < data.getRowCount(); row++) {
            for (int column = 0; column < data.getColumnCount(); column++) {
                values.add(data.getValue(row, column).doubleValue());
            }
        }
        return values;
    }

    /** The value written on a bar, if any. */
    private static String label(org.jfree.chart.plot.CategoryPlot plot, int row, int column) {
        var bars = plot.getRenderer();
        assertThat(bars.isItemLabelVisible(row, column)).isTrue();
        return bars.getItemLabelGenerator(row, column).generateLabel(plot.getDataset(), row, column);
    }
}
