package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import dev.scales.core.train.TrainingEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

/** The keys a teacher at the front of the room reaches for: run, stop, help, full screen. */
@ExtendWith(ApplicationExtension.class)
class KeyboardTest {
    @TempDir
    Path dir;

    private MainViewModel vm;
    private ModelManager manager;
    private Stage stage;

    @AfterEach
    void close() {
        manager.close();
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        manager = new ModelManager();
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
    }

    @Test
    void ctrlEnterRunsThePromptEscStopsTheRunF1OpensTheGuideAndF11GoesFullScreen(FxRobot robot) throws Exception {
        robot.interact(() -> {
            vm.modelBar().selectedModelProperty().set(AppPaths.bundledModel().toAbsolutePath());
            vm.modelBar().load();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.modelBar().loadedProperty().get());

        robot.press(KeyCode.CONTROL).press(KeyCode.ENTER).release(KeyCode.ENTER).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.prompt().runStatusProperty().get().contains("tokens/s"));

        robot.interact(() -> vm.fineTune().openDataset(AppPaths.home().resolve("sample-data/sentiment/train.jsonl")));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.fineTune().datasetSize() > 0);
        robot.interact(() -> {
            vm.fineTune().stepsProperty().set("100000");
            vm.fineTune().start();
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.fineTune().trainLoss().isEmpty());
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.fineTune().runningProperty().get());
        assertThat(vm.fineTune().runs().get(0).finished().outcome()).isEqualTo(TrainingEvent.Outcome.STOPPED);

        robot.type(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.Node guide = robot.lookup("#user-guide").query();
        assertThat(guide.getScene().getWindow().isShowing()).isTrue();
        robot.interact(() -> guide.getScene().getWindow().hide()); // the keys go to the main window again

        boolean before = stage.isFullScreen();
        robot.type(KeyCode.F11);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(stage.isFullScreen()).isNotEqualTo(before);
    }

    @Test
    void ctrlPlusAndMinusZoomTheTypeOnTopOfPresentationAndCtrlZeroGoesBack(FxRobot robot) {
        javafx.scene.Parent root = stage.getScene().getRoot();
        javafx.scene.control.Label title = robot.lookup(".section-title").queryAs(javafx.scene.control.Label.class);
        double normal = title.getFont().getSize();

        robot.press(KeyCode.CONTROL).press(KeyCode.EQUALS).release(KeyCode.EQUALS).release(KeyCode.CONTROL);
        robot.press(KeyCode.CONTROL).press(KeyCode.EQUALS).release(KeyCode.EQUALS).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(title.getFont().getSize()).isCloseTo(normal * 1.25, org.assertj.core.data.Offset.offset(0.6));

        robot.interact(() -> vm.presentationProperty().set(true)); // the zoom stays a factor of the larger type
        assertThat(root.getStyle()).contains("-fx-font-size: 25.0px");

        robot.press(KeyCode.CONTROL).press(KeyCode.MINUS).release(KeyCode.MINUS).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(root.getStyle()).contains("-fx-font-size: 22.0px");

        robot.press(KeyCode.CONTROL).press(KeyCode.DIGIT0).release(KeyCode.DIGIT0).release(KeyCode.CONTROL);
        robot.interact(() -> vm.presentationProperty().set(false));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(root.getStyle()).isEmpty();
        assertThat(title.getFont().getSize()).isEqualTo(normal);
    }
}
