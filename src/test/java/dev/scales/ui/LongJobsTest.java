package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import dev.scales.ui.common.JobProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A model load and a shot sweep in the main window: a progress row that shows and moves while the
 * job runs and hides at its end; Cancel or Esc stops the job, and the app goes on as before.
 */
@ExtendWith(ApplicationExtension.class)
class LongJobsTest {
    @TempDir
    Path dir;

    private final HeldReports ui = new HeldReports();
    private MainViewModel vm;
    private ModelManager manager;

    @AfterEach
    void close() {
        ui.release();
        manager.close();
    }

    @Start
    void start(Stage stage) {
        manager = new ModelManager();
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU", ui, null);
    }

    @Test
    void aModelLoadShowsTheShareOfItsWeightsReadAndCancelOrEscStopsIt(FxRobot robot) throws Exception {
        JobProgress load = vm.modelBar().loadProgress();
        robot.interact(() -> vm.modelBar().selectedModelProperty().set(AppPaths.bundledModel().toAbsolutePath()));

        // held after its first tensors, the row shows; Cancel stops the load
        ui.holdReport(2);
        robot.clickOn("#load-model");
        ui.awaitHeld();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> load.fractionProperty().get() > 0);
        assertThat(visible(robot, "#model-load-row")).isTrue();
        robot.interact(() -> save(robot, "#model-bar", "model-load-progress"));
        robot.clickOn("#model-load-cancel");
        ui.release();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.modelBar().busyProperty().get());
        assertNothingLoaded(robot);

        // Esc stops it as well
        ui.holdReport(2);
        robot.clickOn("#load-model");
        ui.awaitHeld();
        robot.type(KeyCode.ESCAPE);
        ui.release();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.modelBar().busyProperty().get());
        assertNothingLoaded(robot);

        // and the next load goes all the way, its share rising to 1
        List<Double> shares = recorded(robot, load);
        robot.clickOn("#load-model");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.modelBar().loadedProperty().get()
                && !load.runningProperty().get());
        assertThat(shares).startsWith(JobProgress.INDETERMINATE, 0.0).endsWith(1.0).hasSizeGreaterThan(3);
        assertThat(shares.subList(1, shares.size())).isSorted();
        assertThat(visible(robot, "#model-load-row")).isFalse();
        assertThat(manager.models()).hasSize(1);
    }

    @Test
    void aSweepShowsThePointsMeasuredAndEscStopsItThenANewSweepRuns(FxRobot robot) throws Exception {
        manager.load(AppPaths.bundledModel(), "cpu").join();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.prompt().runBlockedReasonProperty().get().isEmpty());
        Path test = dir.resolve("test.jsonl");
        Files.write(test, Files.readAllLines(AppPaths.home().resolve("sample-data/sentiment/test.jsonl")).subList(0, 4));
        JobProgress sweep = vm.prompt().evaluationProgress();
        int points = 3 * 3; // k = 0, 1, 2 (the starter prompt's three examples) in three series

        ui.holdReport(2);
        robot.interact(() -> vm.prompt().sweep(test));
        ui.awaitHeld();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> sweep.fractionProperty().get() > 0);
        assertThat(visible(robot, "#evaluation-row")).isTrue();
        robot.interact(() -> save(robot, "#evaluation", "sweep-progress"));
        robot.type(KeyCode.ESCAPE);
        ui.release();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.prompt().runningProperty().get());
        assertThat(vm.prompt().evaluationStatusProperty().get()).isEqualTo("cancelled");
        assertThat(vm.prompt().sweepPoints()).hasSizeLessThan(points);
        assertThat(visible(robot, "#evaluation-row")).isFalse();

        List<Double> shares = recorded(robot, sweep);
        robot.interact(() -> vm.prompt().sweep(test));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.prompt().runningProperty().get()
                && vm.prompt().evaluationStatusProperty().get().startsWith("accuracy against shots"));
        assertThat(shares).startsWith(JobProgress.INDETERMINATE, 1.0 / points).endsWith(1.0).hasSize(points + 1);
        assertThat(shares.subList(1, shares.size())).isSorted();
        assertThat(vm.prompt().sweepPoints()).hasSize(points);
        assertThat(visible(robot, "#evaluation-row")).isFalse();
    }

    private void assertNothingLoaded(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.modelBar().loadedProperty().get()).isFalse();
        assertThat(manager.models()).isEmpty();
        assertThat(vm.modelBar().errorProperty().get()).as("a cancel is no error").isEmpty();
        assertThat(vm.modelBar().loadedSummaryProperty().get()).isEqualTo("no model loaded");
        assertThat(visible(robot, "#model-load-row")).isFalse();
    }

    /** Every share {@code job} shows from now on. */
    private static List<Double> recorded(FxRobot robot, JobProgress job) {
        List<Double> shares = new CopyOnWriteArrayList<>();
        robot.interact(() -> job.fractionProperty().addListener((o, was, now) -> shares.add(now.doubleValue())));
        return shares;
    }

    private static boolean visible(FxRobot robot, String id) {
        Node n = robot.lookup(id).query();
        return n.isVisible();
    }

    private static void save(FxRobot robot, String id, String name) {
        try {
            Snapshots.save(robot.lookup(id).query(), name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
