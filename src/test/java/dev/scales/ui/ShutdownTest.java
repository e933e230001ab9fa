package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.device.DeviceInfo;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.settings.SettingsStore;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.lesson.LessonViewModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the window while a training run, an experiment or a lesson is going does what the app's
 * {@code stop} does — the view models close, then the model manager — and that cancels the work,
 * waits until it no longer runs, and only then frees the models: every close returns, the work is
 * over when it does, and nothing is left loaded.
 */
class ShutdownTest {
    @TempDir
    Path dir;

    private ModelManager manager;
    private MainViewModel vm;

    @BeforeEach
    void open() throws Exception {
        manager = new ModelManager();
        vm = new MainViewModel(new SettingsStore(dir.resolve("config")), new ModelLocations(List.of(
                AppPaths.bundledModel().getParent())), manager, UiThread.DIRECT, AppPaths.bundledModel());
        EnvironmentInfo env = new EnvironmentInfo("test", "17", "0.36.0", "PyTorch", "2.7.1", true, dir,
                List.of(new DeviceInfo("cpu", "CPU", -1, -1)), List.of(), "OpenBLAS");
        vm.start(Runnable::run, () -> env); // loads the bundled model, as the app does at its first start
        await(() -> manager.current().isPresent() && manager.jobs().isEmpty(), "the bundled model is loaded");
    }

    @AfterEach
    void closeAnyway() {
        manager.close();
    }

    @Test
    void closingDuringTrainingStopsTheRunBeforeFreeingTheModel() throws Exception {
        vm.fineTune().setModelLoaded(true);
        vm.fineTune().openDataset(AppPaths.home().resolve("sample-data/sentiment/train.jsonl"));
        vm.fineTune().stepsProperty().set("100000");
        vm.fineTune().start();
        await(() -> vm.fineTune().trainLoss().size() >= 3, "the run is under way");

        closeTheWindow();

        assertThat(vm.fineTune().runningProperty().get()).as("the run is over").isFalse();
    }

    @Test
    void closingDuringAnExperimentCancelsItBeforeFreeingTheModel() throws Exception {
        vm.compare().open(AppPaths.home().resolve("sample-data/experiments/sentiment.json"));
        vm.compare().run();
        await(() -> vm.compare().statusProperty().get().contains("fine-tuning"), "the experiment is training");

        closeTheWindow();

        assertThat(vm.compare().runningProperty().get()).as("the experiment is over").isFalse();
        assertThat(vm.compare().resultsProperty().get()).as("no results from a cancelled run").isNull();
    }

    @Test
    void closingDuringALessonCancelsItBeforeFreeingItsModels() throws Exception {
        vm.lesson().run(LessonViewModel.Step.PRACTICE);
        await(() -> !vm.lesson().losses().isEmpty(), () -> "the lesson is practising: " + vm.lesson().busyProperty().get()
                + " " + vm.lesson().resultProperty(LessonViewModel.Step.PRACTICE).get());

        closeTheWindow();

        assertThat(vm.lesson().busyProperty().get()).as("the lesson is over").isFalse();
    }

    /** What the app does when its window closes; it must return, with nothing running or loaded. */
    private void closeTheWindow() throws Exception {
        long start = System.nanoTime();
        vm.close();
        manager.close();
        assertThat((System.nanoTime() - start) / 1e9).as("seconds to close").isLessThan(60);
        assertThat(manager.jobs()).as("jobs left").isEmpty();
        assertThat(manager.current()).as("a model left loaded").isEmpty();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, () -> what);
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting until %s", what.get()).isLessThan(end);
            Thread.sleep(20);
        }
    }
}
