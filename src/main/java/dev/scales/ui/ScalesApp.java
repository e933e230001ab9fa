package dev.scales.ui;

import dev.scales.core.AppPaths;
import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.Offline;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.settings.Settings;
import dev.scales.core.settings.SettingsStore;
import dev.scales.ui.common.Theme;
import dev.scales.ui.common.UiThread;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.stage.Screen;
import javafx.stage.Stage;

/** The JavaFX application: builds the main window and remembers its bounds. */
public final class ScalesApp extends Application {
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scales-engine-start");
        t.setDaemon(true);
        return t;
    });
    private final ModelManager models = new ModelManager();
    private MainViewModel vm;
    private MainView view;

    @Override
    public void start(Stage stage) {
        Offline.configure();
        vm = new MainViewModel(new SettingsStore(AppPaths.configDir()), ModelLocations.standard(), models,
                UiThread.FX, AppPaths.bundledModel());
        view = new MainView(vm);
        Scene scene = new Scene(view, 1280, 800);
        scene.getStylesheets().add(stylesheet());
        stage.setTitle("Scales — fine-tuning vs in-context learning");
        for (String icon : new String[] {"icon-32.png", "icon-256.png"}) {
            stage.getIcons().add(new javafx.scene.image.Image(Objects.requireNonNull(
                    ScalesApp.class.getResourceAsStream(icon), icon)));
        }
        stage.setScene(scene);
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        restoreBounds(stage, vm.settings().window());
        stage.setOnHidden(e -> {
            rememberBounds(stage);
            vm.saveSettings();
            view.dispose();
        });
        stage.show();
        vm.start(background, EnvironmentInfo::collect);
    }

    @Override
    public void stop() {
        background.shutdownNow();
        if (vm != null) {
            vm.close();
        }
        models.close();
    }

    /** The application stylesheet, shared with tests that build a single pane. */
    public static String stylesheet() {
        return Theme.appStylesheet();
    }

    private static void restoreBounds(Stage stage, Settings.WindowBounds b) {
        if (b == null) {
            return;
        }
        // Only restore a position that is still on a screen (a monitor may have been unplugged).
        boolean visible = !Screen.getScreensForRectangle(new Rectangle2D(b.x(), b.y(), b.width(), b.height())).isEmpty();
        stage.setWidth(b.width());
        stage.setHeight(b.height());
        if (visible) {
            stage.setX(b.x());
            stage.setY(b.y());
        }
        stage.setMaximized(b.maximized());
    }

    private void rememberBounds(Stage stage) {
        try {
            vm.updateSettings(s -> s.withWindow(new Settings.WindowBounds(stage.getX(), stage.getY(),
                    stage.getWidth(), stage.getHeight(), stage.isMaximized())));
        } catch (IllegalArgumentException e) {
            // A window too small to be worth restoring: keep the earlier bounds.
        }
    }
}
