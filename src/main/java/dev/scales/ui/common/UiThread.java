package dev.scales.ui.common;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;

/**
 * Where view models deliver their updates: onto the FX thread in the app, on the calling
 * thread in tests. The one executor abstraction every background result goes through.
 */
@FunctionalInterface
public interface UiThread {
    void run(Runnable update);

    /** Runs {@code update} about {@code millis} from now; at once where the thread has no clock (tests). */
    default void runAfter(long millis, Runnable update) {
        run(update);
    }

    /** Runs on the JavaFX application thread (directly when already on it). */
    UiThread FX = new UiThread() {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scales-ui-timer");
            t.setDaemon(true);
            return t;
        });

        @Override
        public void run(Runnable update) {
            if (Platform.isFxApplicationThread()) {
                update.run();
            } else {
                Platform.runLater(update);
            }
        }

        @Override
        public void runAfter(long millis, Runnable update) {
            timer.schedule(() -> Platform.runLater(update), millis, TimeUnit.MILLISECONDS);
        }
    };

    /** Runs at once on the calling thread: for tests of view models. */
    UiThread DIRECT = Runnable::run;
}
