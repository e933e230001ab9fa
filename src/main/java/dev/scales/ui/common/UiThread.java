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

    /** Disk work that must not hold the UI up: writes a file, or fails saying why. */
    @FunctionalInterface
    interface FileWork {
        void run() throws java.io.IOException;
    }

    /**
     * Does {@code work} away from this thread (in order with other such work), then reports to
     * {@code done} on this thread: null when it went well, else the error. At once on the calling
     * thread where the thread is a test's.
     */
    default void writeFile(FileWork work, java.util.function.Consumer<Exception> done) {
        offThread(() -> {
            work.run();
            return null;
        }, (ignored, e) -> done.accept(e));
    }

    /**
     * Computes {@code work} away from this thread (files: reading or writing, in order with other
     * such work), then hands its value, or its error, to {@code done} on this thread. At once on the
     * calling thread where the thread is a test's.
     */
    default <T> void offThread(java.util.concurrent.Callable<T> work, java.util.function.BiConsumer<T, Exception> done) {
        T value;
        try {
            value = work.call();
        } catch (Exception e) {
            done.accept(null, e);
            return;
        }
        done.accept(value, null);
    }


    /** Runs on the JavaFX application thread (directly when already on it); files are written on a thread of their own. */
    UiThread FX = new UiThread() {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scales-ui-timer");
            t.setDaemon(true);
            return t;
        });
        private final java.util.concurrent.ExecutorService files = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scales-files");
            t.setDaemon(true);
            return t;
        });

        @Override
        public <T> void offThread(java.util.concurrent.Callable<T> work,
                                  java.util.function.BiConsumer<T, Exception> done) {
            files.execute(() -> {
                T value = null;
                Exception error = null;
                try {
                    value = work.call();
                } catch (Exception e) {
                    error = e;
                }
                T v = value;
                Exception e = error;
                run(() -> done.accept(v, e));
            });
        }

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
