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

        robot.interact(() -> {
            vm.fineTune().openDataset(AppPaths.home().resolve("sample-data/sentiment/train.jsonl"));
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
}
