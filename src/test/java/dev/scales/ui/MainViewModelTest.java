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
}
