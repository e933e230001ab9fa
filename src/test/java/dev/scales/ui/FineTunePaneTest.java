package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.model.Golden;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.TrainingEvent;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.finetune.FineTunePane;
import dev.scales.ui.finetune.FineTuneViewModel;
import dev.scales.ui.finetune.LossChart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class FineTunePaneTest {
    @TempDir
    Path dir;

    private final ModelManager manager = new ModelManager();
    private final FineTuneViewModel vm = new FineTuneViewModel(manager, UiThread.FX,
            () -> new dev.scales.core.train.TrainingData.Format("", new PromptTemplate("{input}={output}\n")));
    private FineTunePane pane;

    @AfterEach
    void closeModels() {
        manager.close();
    }

    @Start
    void start(Stage stage) {
        pane = new FineTunePane(vm);
        Scene scene = new Scene(pane, 640, 820);
        scene.getStylesheets().add(ScalesApp.stylesheet());
        dev.scales.ui.common.Theme.LIGHT.apply(scene.getRoot()); // the look the app starts with
        stage.setScene(scene);
        stage.show();
    }

    private void ready(FxRobot robot) throws Exception {
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        Path data = dir.resolve("train.jsonl");
        StringBuilder rows = new StringBuilder();
        String[] words = {"good", "bad", "fine", "awful", "nice", "poor", "great", "dull", "lovely", "grim"};
        for (int i = 0; i < words.length; i++) {
            rows.append("{\"input\": \"").append(words[i]).append("\", \"label\": \"").append(i % 2 == 0 ? "pos" : "neg")
                    .append("\"}\n");
        }
        Files.writeString(data, rows.toString());
        robot.interact(() -> {
            vm.setModelLoaded(true);
            vm.openDataset(data);
            vm.methodProperty().set(FineTuneViewModel.Method.FULL);
            vm.stepsProperty().set("6");
            vm.batchSizeProperty().set("2");
            vm.learningRateProperty().set("0.01");
        });
        readDataset();
    }

    /** Waits while the dataset is read away from the FX thread, then for its results on it. */
    private void readDataset() throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.datasetReadingProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void openingADatasetOnALoadedModelEnablesStartWithoutTouchingASetting(FxRobot robot) throws Exception {
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"input\": \"good\", \"label\": \"pos\"}\n{\"input\": \"bad\", \"label\": \"neg\"}\n");
        robot.interact(() -> vm.setModelLoaded(true));
        assertThat(robot.lookup("#start-training").queryButton().isDisabled()).isTrue();

        robot.interact(() -> vm.openDataset(data));
        readDataset();

        assertThat(vm.startBlockedReason().get()).isEmpty();
        assertThat(robot.lookup("#start-training").queryButton().isDisabled()).isFalse();
    }

    @Test
    void aRunFillsTheChartMovesTheProgressAndIsListed(FxRobot robot) throws Exception {
        // given
        ready(robot);
        assertThat(vm.startBlockedReason().get()).isEmpty();

        // when
        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && !vm.runs().isEmpty());

        // then
        assertThat(vm.trainLoss()).hasSize(6);
        assertThat(vm.learningRates()).hasSize(6);
        assertThat(vm.bestProperty().get().step()).isEqualTo(6); // the one evaluation, at the last step
        assertThat(vm.progressProperty().get()).isEqualTo(1.0);
        assertThat(vm.runs().get(0).toString()).startsWith("#1 full · lr 0.01 · 6 steps · done · loss ");
        assertThat(vm.runs().get(0).settings()).isEqualTo("full · lr 0.01 · 6 steps · batch 2 · 10 examples (10% for "
                + "validation) · seed 42");
        assertThat(vm.runs().get(0).events()).filteredOn(TrainingEvent.Step.class::isInstance).hasSize(6);
        assertThat(manager.variants().all()).extracting(ModelManager.Variant::name)
                .containsExactly("fine-tuned weights (#1 full · lr 0.01 · 6 steps)");
        XYPlot plot = robot.lookup("#loss-panel").queryAs(LossChart.class).chart().getXYPlot();
        assertThat(plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND)).hasSize(1);
        var rate = java.util.stream.IntStream.range(0, plot.getDatasetCount()).mapToObj(plot::getDataset)
                .filter(d -> d != null && d.getSeriesCount() > 0 && d.getSeriesKey(0).equals("learning rate"))
                .findFirst().orElseThrow();
        assertThat(rate.getItemCount(0)).isEqualTo(6);
        robot.interact(() -> {
            try {
                Snapshots.save(pane, "finetune-pane-after-run");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aDatasetShowsTheTrainingTextOfItsFirstExampleWithTheTrainedPartMarked(FxRobot robot) throws Exception {
        ready(robot);
        WaitForAsyncUtils.waitForFxEvents();

        javafx.scene.control.TextArea text = robot.lookup("#training-text").queryAs(javafx.scene.control.TextArea.class);
        assertThat(text.isVisible()).isTrue();
        assertThat(text.getText()).isEqualTo("good=⟦pos\n⟧");
        robot.interact(() -> {
            try {
                Snapshots.save(pane, "finetune-training-text");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aCsvDatasetOpensLikeJsonl(FxRobot robot) throws Exception {
        Path csv = dir.resolve("train.csv");
        Files.writeString(csv, "input,label\n\"warm, kind staff\",pos\ncold fries,neg\nshort row\n");

        robot.interact(() -> vm.openDataset(csv));
        readDataset();

        assertThat(vm.datasetSummaryProperty().get()).isEqualTo("train.csv · 2 examples · fields input, label");
        assertThat(vm.previewRows()).hasSize(2);
        assertThat(vm.datasetErrorProperty().get()).startsWith("1 line(s) not used; first: train.csv:4:");
    }

    @Test
    void pauseHoldsTheRunBetweenStepsAndResumeFinishesIt(FxRobot robot) throws Exception {
        ready(robot);
        // enough steps that the run cannot finish before the robot's click lands (40 sometimes did)
        robot.interact(() -> vm.stepsProperty().set("400"));
        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.trainLoss().isEmpty());

        robot.clickOn("#pause-training");
        assertThat(robot.lookup("#pause-training").queryButton().getText()).isEqualTo("Resume");
        // a step in flight may still land: wait until the curve holds still, however long that step takes
        int[] last = {-1};
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            int now = vm.trainLoss().size();
            boolean still = now == last[0];
            last[0] = now;
            if (!still) {
                WaitForAsyncUtils.sleep(400, TimeUnit.MILLISECONDS);
            }
            return still;
        });
        int held = vm.trainLoss().size();
        Thread.sleep(500); // then, paused, nothing more arrives
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.trainLoss()).as("no step while paused").hasSize(held);
        assertThat(vm.runningProperty().get()).isTrue();
        assertThat(held).isLessThan(400);

        robot.clickOn("#pause-training");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && !vm.runs().isEmpty());
        assertThat(vm.trainLoss()).hasSize(400);
        assertThat(robot.lookup("#pause-training").queryButton().getText()).isEqualTo("Pause");
    }

    @Test
    void aSecondRunIsDrawnOverTheFirstRunsCurve(FxRobot robot) throws Exception {
        // given
        ready(robot);
        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && vm.runs().size() == 1);

        // when
        robot.interact(() -> vm.learningRateProperty().set("0.001"));
        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && vm.runs().size() == 2);

        // then
        assertThat(vm.runs().get(0).toString()).startsWith("#2 full · lr 0.001 · 6 steps");
        assertThat(vm.earlierRuns()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("#1 full · lr 0.01");
            assertThat(c.points()).hasSize(6);
        });
        XYPlot plot = robot.lookup("#loss-panel").queryAs(LossChart.class).chart().getXYPlot();
        assertThat(plot.getLegendItems().getItemCount()).isEqualTo(5); // this run's 4 curves and the first run's
        assertThat(java.util.stream.IntStream.range(0, 5).mapToObj(i -> plot.getLegendItems().get(i).getLabel()))
                .contains("#1 full · lr 0.01");

        // when the first run is reopened from the list (a double-click)
        robot.doubleClickOn((javafx.scene.Node) robot.lookup("#runs .list-cell").nth(1).query());
        WaitForAsyncUtils.waitForFxEvents();

        // then its curves are the chart's again, the second run's beside them
        assertThat(vm.statusProperty().get()).startsWith("Showing #1 full · lr 0.01: full · lr 0.01 · 6 steps");
        assertThat(vm.trainLoss()).hasSize(6);
        assertThat(vm.trainLoss().get(0)[1]).isEqualTo(((TrainingEvent.Step) vm.runs().get(1).events().get(0))
                .trainLoss(), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(vm.earlierRuns()).extracting(FineTuneViewModel.Curve::name).endsWith("#2 full · lr 0.001");
    }

    @Test
    void aLoraRunIsSavedAsAPeftAdapter(FxRobot robot) throws Exception {
        // given
        ready(robot);
        robot.interact(() -> vm.methodProperty().set(FineTuneViewModel.Method.LORA));

        // when
        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.hasResultProperty().get() && !vm.runningProperty().get());
        Path out = dir.resolve("adapter");
        robot.interact(() -> vm.save(out));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.statusProperty().get().startsWith("saved"));

        // then
        assertThat(vm.statusProperty().get())
                .isEqualTo("saved the LoRA adapter #1 LoRA r8 · lr 0.01 · 6 steps to " + out);
        assertThat(out.resolve("adapter_config.json")).exists();
        assertThat(out.resolve("adapter_model.safetensors")).exists();
        // and the run is a variant of the loaded model, the one prompts now run on
        assertThat(manager.variants().all()).extracting(ModelManager.Variant::name)
                .containsExactly("base weights", "#1 LoRA r8 · lr 0.01 · 6 steps");
        assertThat(manager.variants().active().name()).isEqualTo("#1 LoRA r8 · lr 0.01 · 6 steps");

        // when a second LoRA run follows, it starts from the base weights and the first one stays
        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> manager.variants().all().size() == 3);
        assertThat(manager.variants().active().name()).startsWith("#2 LoRA");
        assertThat(manager.variants().all().get(1).adapters().isActive()).isFalse();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.hasResultProperty().get());

        // when the second run's variant is discarded, its adapters are gone: nothing is left to save
        manager.discard(manager.variants().active().id()).join();
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(vm.hasResultProperty().get()).isFalse();
        assertThat(manager.variants().active().isBase()).isTrue();

        // with the base weights chosen in the Weights menu, Save writes the whole model
        Path model = dir.resolve("base");
        robot.interact(() -> vm.save(model));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.statusProperty().get().startsWith("saved"));
        assertThat(model.resolve("config.json")).exists();
        assertThat(model.resolve("model.safetensors")).exists();
    }

    @Test
    void aBadSettingIsFlaggedAndStartStaysDisabled(FxRobot robot) throws Exception {
        // given
        ready(robot);

        // when
        robot.interact(() -> vm.learningRateProperty().set("fast"));

        // then the field itself is flagged and says why, and Start stays disabled
        assertThat(vm.settingsError().get()).isEqualTo("learning rate must be a number, got \"fast\"");
        javafx.scene.control.TextField lr = robot.lookup("#learning-rate").queryAs(javafx.scene.control.TextField.class);
        assertThat(lr.getStyleClass()).contains("invalid");
        assertThat(lr.getTooltip().getText()).isEqualTo(vm.settingsError().get());
        assertThat(robot.lookup("#start-training").queryButton().isDisabled()).isTrue();

        robot.interact(() -> vm.learningRateProperty().set("5"));
        assertThat(vm.settingsError().get()).contains("learning rate must be within (0, 1)");
        assertThat(lr.getStyleClass()).contains("invalid");

        // and a setting of the sheet below is flagged in its own row, the first row's field no longer
        robot.interact(() -> {
            vm.learningRateProperty().set("0.01");
            item("validation share").setValue("1.5");
        });
        assertThat(vm.settingsError().get()).isEqualTo("the validation share must be within [0, 1), got 1.5");
        assertThat(lr.getStyleClass()).doesNotContain("invalid");
        assertThat(((dev.scales.ui.common.PropertyItem<?>) item("validation share")).error().get())
                .isEqualTo(vm.settingsError().get());
        assertThat(robot.lookup("#start-training").queryButton().isDisabled()).isTrue();
        robot.interact(() -> {
            var more = robot.lookup("#more-settings-pane").queryAs(javafx.scene.control.TitledPane.class);
            more.setAnimated(false);
            more.setExpanded(true);
            pane.applyCss();
            pane.layout();
            try {
                Snapshots.save(pane, "finetune-more-settings");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private org.controlsfx.control.PropertySheet.Item item(String name) {
        return robot().lookup("#more-settings").queryAs(org.controlsfx.control.PropertySheet.class).getItems().stream()
                .filter(i -> i.getName().equals(name)).findFirst().orElseThrow();
    }

    private FxRobot robot() {
        return new FxRobot();
    }

    @Test
    void theSheetsSettingsReachTheRun(FxRobot robot) throws Exception {
        ready(robot);
        robot.interact(() -> {
            item("accumulation").setValue("2");
            item("seed").setValue("7");
            item("report every").setValue("3");
        });

        robot.clickOn("#start-training");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && !vm.runs().isEmpty());

        assertThat(vm.runs().get(0).settings()).isEqualTo("full · lr 0.01 · 6 steps · batch 2 × 2 · 10 examples (10% "
                + "for validation) · seed 7");
        assertThat(vm.runs().get(0).events()).filteredOn(dev.scales.core.train.TrainingEvent.Step.class::isInstance)
                .extracting(e -> ((dev.scales.core.train.TrainingEvent.Step) e).step()).containsExactly(3, 6);
    }

    @Test
    void aStoppedRunResumesFromItsLastCheckpointAndContinuesTheSameCurve(FxRobot robot) throws Exception {
        // the curve of the run left alone, on a copy of the model (a full run changes the weights it starts from)
        Path copy = dir.resolve("copy");
        Files.createDirectories(copy);
        try (var files = Files.list(Golden.folder("gpt2-tiny"))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        ready(robot);
        manager.load(copy, "cpu").join();
        robot.interact(() -> vm.stepsProperty().set("60"));
        robot.interact(vm::start);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && vm.runs().size() == 1);
        List<TrainingEvent.Step> whole = steps(vm.runs().get(0).events());
        assertThat(whole).hasSize(60);

        // the same run from the same weights, stopped part-way
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        javafx.collections.ListChangeListener<double[]> stopAt15 = c -> {
            if (vm.trainLoss().size() >= 15) {
                vm.stop();
            }
        };
        robot.interact(() -> {
            vm.trainLoss().addListener(stopAt15);
            vm.start();
        });
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && vm.runs().size() == 2);
        robot.interact(() -> vm.trainLoss().removeListener(stopAt15));
        assertThat(vm.runs().get(0).finished().outcome()).isEqualTo(TrainingEvent.Outcome.STOPPED);
        Path folder = vm.lastRunFolderProperty().get();
        int from = dev.scales.core.train.RunFolder.open(folder).resumableStep();
        assertThat(from).as("the last checkpoint, written every 10 steps").isPositive().isLessThan(60);

        // resumed: the curve so far comes back and goes on as the run left alone went
        robot.interact(() -> vm.resume(folder));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !vm.runningProperty().get() && vm.runs().size() == 3);
        List<TrainingEvent.Step> resumed = steps(vm.runs().get(0).events());
        assertThat(resumed).extracting(TrainingEvent.Step::step)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 60).boxed().toList());
        assertThat(vm.trainLoss()).hasSize(60);
        for (int i = from; i < 60; i++) {
            assertThat((double) resumed.get(i).trainLoss()).as("loss at step %d", i + 1)
                    .isCloseTo(whole.get(i).trainLoss(), org.assertj.core.data.Offset.offset(1e-5));
        }

        // a run is resumed only on the model it trained
        manager.load(Golden.folder("llama-tiny-gqa"), "cpu").join();
        robot.interact(() -> vm.resume(folder));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.statusProperty().get().contains("resume it"));
        assertThat(vm.statusProperty().get()).contains("gpt2-tiny").contains("load that model to resume it");
    }

    private static List<TrainingEvent.Step> steps(List<TrainingEvent> events) {
        return events.stream().filter(TrainingEvent.Step.class::isInstance).map(TrainingEvent.Step.class::cast)
                .toList();
    }
}
