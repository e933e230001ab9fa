package dev.scales.ui.common;

import javafx.application.Platform;

/**
 * Where view models deliver their updates: onto the FX thread in the app, on the calling
 * thread in tests. The one executor abstraction every background result goes through.
 */
@FunctionalInterface
public interface UiThread {
    void run(Runnable update);

    /** Runs on the JavaFX application thread (directly when already on it). */
    UiThread FX = update -> {
        if (Platform.isFxApplicationThread()) {
            update.run();
        } else {
            Platform.runLater(update);
        }
    };

    /** Runs at once on the calling thread: for tests of view models. */
    UiThread DIRECT = Runnable::run;
}
