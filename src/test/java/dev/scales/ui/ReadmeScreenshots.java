package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Experiment;
import dev.scales.ui.lesson.LessonViewModel.State;
import dev.scales.ui.lesson.LessonViewModel.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The README's screenshots, one per tab and one in presentation mode, taken from the real window at
 * 1280 × 800 after real work on the bundled model: a prompt run and a fine-tune in the Lab, a short
 * experiment in Compare, every Lesson step. Not part of the test suite (its name is not a test's);
 * {@code ./mvnw -B -Pscreenshots test} runs it and rewrites {@code docs/screenshots/*.png}.
 */
@ExtendWith(ApplicationExtension.class)
class ReadmeScreenshots {
    static final Path OUT = Path.of("docs", "screenshots");

    @TempDir
    Path dir;

    private MainViewModel vm;
    private ModelManager manager;
    private Stage stage;

    @AfterEach
    void close() {
        vm.lesson().close();
        manager.close();
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        manager = new ModelManager();
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU",
                dev.scales.ui.common.UiThread.FX, AppPaths.bundledModel());
    }

    @Test
    void everyTabAndPresentationMode(FxRobot robot) throws Exception {
        waitUntil(60, () -> vm.modelBar().loadedProperty().get()); // the bundled model, as at a first start

        robot.interact(() -> vm.prompt().run());
        waitUntil(60, () -> vm.prompt().runStatusProperty().get().contains("tokens/s"));
        robot.interact(() -> vm.fineTune().openDataset(AppPaths.home().resolve("sample-data/sentiment/train.jsonl")));
        waitUntil(60, () -> vm.fineTune().startBlockedReason().get().isEmpty(), () -> vm.fineTune().startBlockedReason().get() + " " + vm.fineTune().datasetErrorProperty().get());
        robot.interact(() -> vm.fineTune().start());
        waitUntil(300, () -> vm.fineTune().hasResultProperty().get());
        robot.interact(() -> { // the fine-tuning pane scrolled down to its loss chart
            javafx.scene.control.SplitPane lab = (javafx.scene.control.SplitPane) stage.getScene().lookup("#lab-split");
            ((javafx.scene.control.ScrollPane) lab.getItems().get(1)).setVvalue(1);
        });
        shoot(robot, 0, "lab");

        Path experiment = experiment();
        robot.interact(() -> vm.compare().open(experiment));
        robot.interact(() -> vm.compare().run());
        waitUntil(600, () -> vm.compare().resultsProperty().get() != null && !vm.compare().runningProperty().get());
        shoot(robot, 1, "compare");

        for (Step step : Step.values()) {
            robot.interact(() -> vm.lesson().run(step));
            waitUntil(300, () -> vm.lesson().stateProperty(step).get() != State.RUNNING && !vm.lesson().busyProperty().get());
            assertThat(vm.lesson().stateProperty(step).get()).as(step + ": " + vm.lesson().resultProperty(step).get())
                    .isEqualTo(State.DONE);
        }
        shoot(robot, 2, "lesson");

        robot.interact(() -> vm.presentationProperty().set(true));
        shoot(robot, 2, "presentation");
    }

    /** The sentiment sample experiment with fewer seeds and points, so that it runs in about a minute. */
    private Path experiment() throws IOException {
        Path data = AppPaths.home().resolve("sample-data/sentiment").toAbsolutePath();
        Path file = dir.resolve("sentiment.json");
        new Experiment("sentiment on scales-tiny: prompting vs fine-tuning", AppPaths.bundledModel(),
                data.resolve("train.jsonl"), data.resolve("test.jsonl"), data.resolve("prompt-set.json"),
                AppPaths.home().resolve("sample-data/general/held-out.txt").toAbsolutePath(), 8,
                new Experiment.FineTune("lora", 4e-3f, 100, 8, 8), 64, List.of(1, 4, 16, 64), 2).write(file);
        return file;
    }

    private void shoot(FxRobot robot, int tab, String name) throws IOException {
        robot.interact(() -> ((TabPane) stage.getScene().lookup("#main-tabs")).getSelectionModel().select(tab));
        WaitForAsyncUtils.waitForFxEvents();
        Files.createDirectories(OUT);
        Path file = OUT.resolve(name + ".png");
        robot.interact(() -> {
            try {
                ImageIO.write(SwingFXUtils.fromFXImage(stage.getScene().snapshot(null), null), "png", file.toFile());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(file).isNotEmptyFile();
    }

    private static void waitUntil(int seconds, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        waitUntil(seconds, condition, () -> "");
    }

    /** Waits for {@code condition}; a timeout says {@code why}. */
    private static void waitUntil(int seconds, java.util.concurrent.Callable<Boolean> condition,
                                  java.util.function.Supplier<String> why) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, condition);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("still waiting after " + seconds + " s: " + why.get(), e);
        }
    }
}
