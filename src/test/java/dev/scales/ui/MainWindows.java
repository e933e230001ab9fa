package dev.scales.ui;

import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.device.DeviceInfo;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.settings.SettingsStore;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The real main window at 1280 × 800 for a test, its settings in {@code dir}, the engine probe a fixed answer. */
final class MainWindows {
    private MainWindows() {}

    static MainViewModel show(Stage stage, Path dir, ModelManager manager, List<Path> modelRoots, String cpuName) {
        return show(stage, dir, manager, modelRoots, cpuName, UiThread.FX, null);
    }

    /**
     * As the app starts: its view models updated through {@code ui} (the FX thread, or one that holds
     * reports), with {@code bundledModel} (or null) loaded at start when no model was saved before.
     */
    static MainViewModel show(Stage stage, Path dir, ModelManager manager, List<Path> modelRoots, String cpuName,
                              UiThread ui, Path bundledModel) {
        MainViewModel vm = new MainViewModel(new SettingsStore(dir.resolve("config")), new ModelLocations(modelRoots),
                manager, ui, bundledModel);
        EnvironmentInfo env = new EnvironmentInfo("test", "17", "0.36.0", "PyTorch", "2.7.1", true, dir,
                List.of(new DeviceInfo("cpu", cpuName, -1, -1)), modelRoots, "OpenBLAS");
        vm.start(Runnable::run, () -> env);
        Scene scene = new Scene(new MainView(vm), 1280, 800);
        scene.getStylesheets().add(ScalesApp.stylesheet());
        stage.setScene(scene);
        stage.show();
        return vm;
    }
}
