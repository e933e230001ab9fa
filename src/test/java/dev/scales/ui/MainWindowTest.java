package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.model.Golden;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The real main window, with the engine probe replaced by a fixed answer. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    @TempDir
    static Path dir;

    private MainViewModel vm;
    private ModelManager manager;

    @AfterEach
    void closeModels() {
        manager.close();
    }

    @Start
    void start(Stage stage) throws Exception {
        Path models = dir.resolve("models");
        Files.createDirectories(models.resolve("tiny"));
        Files.writeString(models.resolve("tiny/config.json"), "{}");
        manager = new ModelManager();
        vm = MainWindows.show(stage, dir, manager, List.of(models, Golden.folder("gpt2-tiny").getParent()),
                "CPU (2 cores)");
    }

    @Test
    void showsModelBarLabWithBothPanesAndStatusBar(FxRobot robot) throws Exception {
        // then
        assertThat(robot.lookup("#model-bar").tryQuery()).isPresent();
        assertThat(robot.lookup("#prompt-pane").tryQuery()).isPresent();
        assertThat(robot.lookup("#finetune-pane").tryQuery()).isPresent();
        assertThat(robot.lookup("#status-bar").tryQuery()).isPresent();
        ComboBox<?> model = robot.lookup("#model-choice").queryAs(ComboBox.class);
        assertThat(model.getItems()).hasSizeGreaterThan(5);
        ComboBox<?> device = robot.lookup("#device-choice").queryAs(ComboBox.class);
        assertThat(device.getItems()).extracting(Object::toString).containsExactly("Auto", "CPU (2 cores)");

        AtomicReference<Path> png = new AtomicReference<>();
        robot.interact(() -> {
            try {
                png.set(Snapshots.save(robot.lookup("#main-view").query().getScene().getRoot(), "main-window"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(Files.size(png.get())).isGreaterThan(10_000);
    }

    @Test
    void presentationModeEnlargesTypeThickensChartLinesAndIsRemembered(FxRobot robot) throws Exception {
        // when
        robot.clickOn("#presentation-toggle");

        // then
        javafx.scene.Parent root = robot.lookup("#main-view").queryAs(javafx.scene.Parent.class);
        assertThat(root.getStyleClass()).contains("presentation");
        assertThat(robot.lookup(".pane-title").queryLabeled().getFont().getSize()).isGreaterThanOrEqualTo(22);
        assertThat(robot.lookup("#training-status").queryLabeled().getFont().getSize()).as("body text")
                .isGreaterThanOrEqualTo(20);
        javafx.scene.control.Label error = new javafx.scene.control.Label("refused");
        error.getStyleClass().add("error-text");
        robot.interact(() -> ((javafx.scene.layout.Pane) robot.lookup("#finetune-pane").query()).getChildren().add(error));
        WaitForAsyncUtils.waitForFxEvents();
        var fill = (javafx.scene.paint.Color) error.getTextFill();
        assertThat(Math.min(fill.getHue(), 360 - fill.getHue())).as("error text stays red: " + fill).isLessThan(20);
        org.jfree.chart.fx.ChartViewer loss = robot.lookup("#loss-chart").queryAs(org.jfree.chart.fx.ChartViewer.class);
        var stroke = (java.awt.BasicStroke) loss.getChart().getXYPlot().getRenderer().getSeriesStroke(0);
        assertThat(stroke.getLineWidth()).isGreaterThan(4f);
        assertThat(vm.settings().presentation()).isTrue();
        robot.interact(() -> {
            try {
                Snapshots.save(root.getScene().getRoot(), "main-window-presentation");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        robot.clickOn("#presentation-toggle");
        assertThat(root.getStyleClass()).doesNotContain("presentation");
        assertThat(vm.settings().presentation()).isFalse();
    }

    @Test
    void loadsTheChosenModelAndShowsWhatItIs(FxRobot robot) throws Exception {
        // when
        robot.interact(() -> vm.modelBar().selectedModelProperty().set(Golden.folder("gpt2-tiny").toAbsolutePath()));
        robot.clickOn("#load-model");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.modelBar().loadedProperty().get());
        WaitForAsyncUtils.waitForFxEvents();

        // then
        assertThat(robot.lookup("#model-summary").queryLabeled().getText()).contains("gpt2-tiny · gpt2 · 37.9K params · 128 context · CPU");
        // The starter prompt is longer than this tiny model's 128-token context.
        assertThat(vm.prompt().previewInfoProperty().get()).contains("/ 128 tokens");
        assertThat(vm.prompt().runBlockedReasonProperty().get()).contains("reads at most 128");
    }

    @Test
    void twoModelsStayLoadedTheWeightsMenuChoosesAndUnloadKeepsTheOther(FxRobot robot) throws Exception {
        // when two models are loaded one after the other
        for (String name : List.of("gpt2-tiny", "llama-tiny-gqa")) {
            robot.interact(() -> vm.modelBar().selectedModelProperty().set(Golden.folder(name).toAbsolutePath()));
            robot.clickOn("#load-model");
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> manager.current().map(m -> m.name().equals(name))
                    .orElse(false));
        }
        WaitForAsyncUtils.waitForFxEvents();

        // then both are in the Weights menu and the summary's tooltip, and prompts run on the last
        ComboBox<?> weights = robot.lookup("#variant-choice").queryAs(ComboBox.class);
        assertThat(weights.getItems()).extracting(Object::toString)
                .containsExactly("gpt2-tiny · base weights", "llama-tiny-gqa · base weights");
        assertThat(weights.isDisabled()).isFalse();
        assertThat(robot.lookup("#model-summary").queryLabeled().getText()).startsWith("llama-tiny-gqa");
        assertThat(robot.lookup("#model-summary").queryLabeled().getTooltip().getText())
                .contains("Loaded models (2)").contains("• gpt2-tiny · gpt2").contains("• llama-tiny-gqa · llama");
        assertThat(robot.lookup("#discard-variant").queryButton().isDisabled()).as("a base is not discarded").isTrue();
        assertThat(vm.status().memoryProperty().get()).matches("memory .* · models: CPU [0-9.]+ [KM]B");

        // when the first model's weights are chosen
        robot.interact(() -> weights.getSelectionModel().select(0));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> manager.current().map(m -> m.name().equals("gpt2-tiny"))
                .orElse(false));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#model-summary").queryLabeled().getText()).startsWith("gpt2-tiny");

        // when it is unloaded, the other stays loaded and becomes current
        robot.clickOn("#unload-model");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> manager.models().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#model-summary").queryLabeled().getText()).startsWith("llama-tiny-gqa");
        assertThat(weights.getItems()).extracting(Object::toString).containsExactly("llama-tiny-gqa · base weights");
    }

    @Test
    void aBrokenModelFolderIsReportedAndTheAppGoesOn(FxRobot robot) throws Exception {
        // given a folder whose config.json names no model type
        robot.interact(() -> vm.modelBar().selectedModelProperty().set(dir.resolve("models/tiny").toAbsolutePath()));

        // when
        robot.clickOn("#load-model");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.modelBar().errorProperty().get().isEmpty());

        // then
        assertThat(robot.lookup("#model-error").queryLabeled().getText()).contains("config.json").contains("model_type");
        assertThat(vm.modelBar().loadedProperty().get()).isFalse();
        assertThat(robot.lookup("#load-model").queryButton().isDisabled()).isFalse();
    }

    @Test
    void runningJobsAreListedAndCanBeCancelledFromTheStatusBar(FxRobot robot) throws Exception {
        // given a long job on the loaded model
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        var job = manager.submit("long job", dev.scales.core.device.Job.Priority.EVALUATION, (m, ctx) -> {
            while (!ctx.isCancelled()) {
                Thread.onSpinWait();
            }
            return 0;
        });
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS,
                () -> robot.lookup("#status-jobs").queryLabeled().getText().contains("long job"));

        // when
        robot.clickOn("#status-jobs");
        assertThat(robot.lookup("#jobs-popover .label").queryAllAs(javafx.scene.control.Label.class))
                .extracting(javafx.scene.control.Label::getText).contains("long job (running) · CPU");
        javafx.scene.control.Button cancel = robot.lookup("#jobs-popover .button").queryAllAs(
                javafx.scene.control.Button.class).stream().filter(b -> b.getText().equals("Cancel")).findFirst()
                .orElseThrow();
        robot.interact(cancel::fire); // the pop-over's own Cancel, whatever else on screen is called so

        // then
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> job.future().isDone());
        assertThat(job.state()).isEqualTo(dev.scales.core.device.Job.State.CANCELLED);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS,
                () -> robot.lookup("#status-jobs").queryLabeled().getText().equals("no jobs running"));
    }

    @Test
    void compareIsOneClickAway(FxRobot robot) {
        // when
        robot.clickOn("Compare");
        WaitForAsyncUtils.waitForFxEvents();

        // then
        TabPane tabs = robot.lookup("#main-tabs").queryAs(TabPane.class);
        assertThat(tabs.getSelectionModel().getSelectedItem().getId()).isEqualTo("compare-tab");
        assertThat(robot.lookup("#compare-grid").tryQuery()).isPresent();
        assertThat(robot.lookup(".compare-cell").queryAll()).hasSize(4);
    }

    @Test
    void aWindowOpenedInPresentationModeStartsWithEveryChartEnlarged(FxRobot robot) {
        robot.interact(() -> vm.presentationProperty().set(true));
        vm.saveSettings(); // as closing the window does
        robot.interact(() -> vm.presentationProperty().set(false));

        AtomicReference<Stage> second = new AtomicReference<>();
        robot.interact(() -> {
            second.set(new Stage());
            MainWindows.show(second.get(), dir, manager, List.of(), "CPU");
        });
        try {
            var loss = robot.lookup(n -> n instanceof org.jfree.chart.fx.ChartViewer v && "loss-chart".equals(v.getId())
                    && v.getScene().getWindow() == second.get()).queryAs(org.jfree.chart.fx.ChartViewer.class);
            // the loss chart sits in a scroll pane, whose content is only in the scene once it is shown
            assertThat(loss.getChart().getXYPlot().getRangeAxis().getTickLabelFont().getSize2D())
                    .isGreaterThanOrEqualTo(16f);
        } finally {
            robot.interact(() -> second.get().close());
        }
    }
}
