package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import dev.scales.core.settings.SettingsStore;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The welcome tour on a first start: it points at each part in turn, and "Don't show again" is kept. */
@ExtendWith(ApplicationExtension.class)
class WelcomeTourTest {
    @TempDir
    Path dir;

    private ModelManager manager;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        System.setProperty("scales.tour", "true"); // the other tests start without it
        manager = new ModelManager();
        MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
    }

    @AfterEach
    void close(FxRobot robot) {
        System.setProperty("scales.tour", "false");
        robot.interact(() -> new java.util.ArrayList<>(javafx.stage.Window.getWindows()).stream().filter(w -> w != stage)
                .forEach(javafx.stage.Window::hide));
        manager.close();
    }

    @Test
    void aFirstStartShowsTheTourNextAndBackMoveSkipWithDontShowAgainKeepsItAwayNextTime(FxRobot robot) {
        // when: the window has shown
        WaitForAsyncUtils.waitForFxEvents();

        // then: the first stop, over the prompt pane
        assertThat(step(robot)).isEqualTo("Step 1 of 5");
        assertThat(title(robot)).isEqualTo("Improvise: the prompt pane");
        screenshot(robot, stage, "welcome-tour-1");

        // when / then
        robot.clickOn("#tour-next");
        assertThat(step(robot)).isEqualTo("Step 2 of 5");
        assertThat(title(robot)).isEqualTo("Practice: the fine-tuning pane");
        robot.clickOn("#tour-next").clickOn("#tour-next");
        assertThat(title(robot)).isEqualTo("The lesson, for a class");
        robot.clickOn("#tour-back");
        assertThat(title(robot)).isEqualTo("Compare the two");
        screenshot(robot, stage, "welcome-tour-3");

        // when
        robot.clickOn("#tour-dont-show").clickOn("#tour-skip");
        WaitForAsyncUtils.waitForFxEvents();

        // then: gone, and written down at once
        assertThat(robot.lookup("#welcome-tour").tryQuery()).isEmpty();
        assertThat(new SettingsStore(dir.resolve("config")).load().tourSeen()).isTrue();

        // when: the app starts again
        robot.interact(() -> MainWindows.show(new Stage(), dir, manager, List.of(), "CPU"));
        WaitForAsyncUtils.waitForFxEvents();

        // then
        assertThat(robot.lookup("#welcome-tour").tryQuery()).isEmpty();
    }

    @Test
    void skippingWithoutDontShowAgainShowsItAgainNextTimeSeeingItToTheEndDoesNot(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#tour-skip");
        assertThat(new SettingsStore(dir.resolve("config")).load().tourSeen()).isFalse();

        Stage second = WaitForAsyncUtils.asyncFx(() -> {
            Stage again = new Stage();
            MainWindows.show(again, dir, manager, List.of(), "CPU");
            return again;
        }).get();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(step(robot)).isEqualTo("Step 1 of 5");
        for (int i = 0; i < 4; i++) {
            robot.clickOn("#tour-next");
        }
        assertThat(title(robot)).isEqualTo("Help is here");
        screenshot(robot, second, "welcome-tour-5");
        robot.clickOn("Done");
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#welcome-tour").tryQuery()).isEmpty();
        assertThat(new SettingsStore(dir.resolve("config")).load().tourSeen()).isTrue();
    }

    /** The screen as the user sees it: the window with the tour's popover over it. */
    private static void screenshot(FxRobot robot, Stage stage, String name) {
        WaitForAsyncUtils.waitForFxEvents();
        javafx.geometry.Rectangle2D area = new javafx.geometry.Rectangle2D(stage.getX(), stage.getY(), stage.getWidth(),
                stage.getHeight());
        javafx.scene.image.Image image = robot.capture(area).getImage();
        try {
            java.nio.file.Files.createDirectories(Path.of("target", "snapshots"));
            javax.imageio.ImageIO.write(javafx.embed.swing.SwingFXUtils.fromFXImage(image, null), "png",
                    Path.of("target", "snapshots", name + ".png").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String step(FxRobot robot) {
        return robot.lookup("#tour-step").queryAs(Label.class).getText();
    }

    private static String title(FxRobot robot) {
        return robot.lookup("#tour-title").queryAs(Label.class).getText();
    }
}
