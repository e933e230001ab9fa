package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Lesson;
import dev.scales.ui.common.UiThread;
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
    private final LessonViewModel vm = new LessonViewModel(manager, UiThread.FX, () -> {
        SampleTasks tasks = new SampleTasks(new World(1));
        return new Lesson(AppPaths.bundledModel(), tasks.sentiment(), String.join("\n\n", tasks.generalText(3)), 48,
                PRACTICE_STEPS);
    });

    @AfterEach
    void close() {
        vm.close();
        manager.close();
    }

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new LessonView(vm), 1200, 720));
        stage.getScene().getStylesheets().add(ScalesApp.stylesheet());
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
        assertThat(both.getChart().getCategoryPlot().getDataset().getColumnCount()).isEqualTo(4);
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
}
