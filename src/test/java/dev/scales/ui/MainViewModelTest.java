package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.settings.Settings;
import dev.scales.core.settings.SettingsStore;
import dev.scales.ui.common.UiThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the window remembers between runs goes through the view model into the settings file. */
class MainViewModelTest {
    @TempDir
    Path dir;

    @Test
    void openedDatasetsBecomeRecentFilesThatSurviveARestart() throws Exception {
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"input\": \"good\", \"label\": \"pos\"}\n");
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);
            vm.fineTune().openDataset(data);
            vm.saveSettings();
        }

        try (ModelManager manager = new ModelManager()) {
            MainViewModel again = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);
            assertThat(again.settings().recentFiles()).containsExactly(data.toAbsolutePath().toString());
            assertThat(again.fineTune().recentDatasets()).containsExactly(data.toAbsolutePath());
        }
    }

    @Test
    void theLastModelFolderIsOfferedAgain() throws Exception {
        Path model = dir.resolve("somewhere/my-model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{}");
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        store.save(Settings.defaults().withLastModel(model.toString()).withLastDevice("cpu"));

        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);

            assertThat(vm.modelBar().selectedModelProperty().get()).isEqualTo(model.toAbsolutePath().normalize());
            assertThat(vm.settings().lastDevice()).isEqualTo("cpu");
        }
    }

    @Test
    void aFirstStartSelectsAndLoadsTheBundledModel() throws Exception {
        Path bundled = dev.scales.core.AppPaths.bundledModel();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(bundled), "the bundled model is committed");
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT, bundled);
            assertThat(vm.modelBar().selectedModelProperty().get()).isEqualTo(bundled.toAbsolutePath().normalize());

            vm.start(Runnable::run, dev.scales.core.EnvironmentInfo::collect);
            org.testfx.util.WaitForAsyncUtils.waitFor(30, java.util.concurrent.TimeUnit.SECONDS,
                    () -> vm.modelBar().loadedProperty().get());
            assertThat(vm.modelBar().errorProperty().get()).isNullOrEmpty();
        }
    }

    @Test
    void theLabsSetupIsSavedAsAnExperimentThatOpensInCompare() throws Exception {
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        Path sentiment = Path.of("sample-data/sentiment").toAbsolutePath();
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);
            Path file = dir.resolve("mine.json");

            // nothing set up yet: the status says what is missing
            vm.compare().saveSetup(file);
            assertThat(vm.compare().statusProperty().get()).contains("load a model first");

            manager.load(dev.scales.core.AppPaths.bundledModel(), "cpu").join();
            vm.fineTune().openDataset(sentiment.resolve("train.jsonl"));
            vm.compare().saveSetup(file);
            assertThat(vm.compare().statusProperty().get()).contains("evaluate the prompt on a test set first");

            vm.prompt().evaluate(sentiment.resolve("validation.jsonl"));
            long end = System.nanoTime() + 60_000_000_000L;
            while (vm.prompt().runningProperty().get() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            vm.fineTune().stepsProperty().set("50");
            vm.compare().saveSetup(file);

            var e = dev.scales.core.experiment.Experiment.read(file);
            assertThat(vm.compare().experimentProperty().get()).isEqualTo(e);
            assertThat(e.name()).isEqualTo("mine");
            assertThat(e.model()).isEqualTo(dev.scales.core.AppPaths.bundledModel().toAbsolutePath().normalize());
            assertThat(e.train().getFileName().toString()).isEqualTo("train.jsonl");
            assertThat(e.test().getFileName().toString()).isEqualTo("validation.jsonl");
            assertThat(e.fineTune().steps()).isEqualTo(50);
            assertThat(e.trainingSize()).isEqualTo(128);
            assertThat(e.labelled()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128);
            assertThat(e.shots()).isEqualTo(3); // the starter prompt's three demonstrations
            assertThat(dir.resolve("mine.prompt-set.json")).exists();
        }
    }
}
