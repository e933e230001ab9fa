package dev.scales.ui.common;

import dev.scales.core.util.Durations;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * A long job as its {@link ProgressRow} shows it: whether it runs, the share done (−1 while that is
 * not known), about how long it has left, and whether it can be cancelled. It shows one job at a
 * time: starting another replaces the one shown, and what a replaced or ended job still reports is
 * dropped. Its properties change on the {@link UiThread}; a job reports from any thread.
 */
public final class JobProgress {
    /** The share of a job whose progress is not known (yet): the bar moves to and fro. */
    public static final double INDETERMINATE = -1;

    private final UiThread ui;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyDoubleWrapper fraction = new ReadOnlyDoubleWrapper(this, "fraction", 0);
    private final ReadOnlyStringWrapper timeLeft = new ReadOnlyStringWrapper(this, "timeLeft", "");
    private final ReadOnlyBooleanWrapper cancellable = new ReadOnlyBooleanWrapper(this, "cancellable");
    private volatile Run current;

    public JobProgress(UiThread ui) {
        this.ui = ui;
    }

    /**
     * Shows a job starting now (on the UI thread), its share not known yet; {@code cancel} stops it
     * (null: it cannot be stopped, and no Cancel shows). The job reports through the run returned.
     */
    public Run start(Runnable cancel) {
        Run run = new Run(cancel);
        current = run;
        fraction.set(INDETERMINATE);
        timeLeft.set("");
        cancellable.set(cancel != null);
        running.set(true);
        return run;
    }

    /**
     * Writes a file away from the UI thread ({@link UiThread#writeFile}), shown as a job whose share
     * is not known, then hands {@code done} its error (null when none). Cancel interrupts the
     * write: the file channel it writes through closes, the temporary file is deleted and a file
     * already there stays as it was; {@code done} then gets a {@link CancellationException}.
     */
    public void writeFile(UiThread.FileWork work, Consumer<Exception> done) {
        InterruptibleWrite write = new InterruptibleWrite(work);
        Run run = start(write::cancel);
        ui.writeFile(write::run, e -> {
            run.end();
            done.accept(e);
        });
    }

    /**
     * One file write that {@link #cancel} interrupts while it runs, and only then: its thread is
     * the file writers' (an interrupt flag left over would reach the next write) or, in tests, the
     * caller's.
     */
    private static final class InterruptibleWrite {
        private final UiThread.FileWork work;
        private Thread writer;
        private boolean cancelled;

        InterruptibleWrite(UiThread.FileWork work) {
            this.work = work;
        }

        synchronized void cancel() {
            cancelled = true;
            if (writer != null) {
                writer.interrupt();
            }
        }

        void run() throws java.io.IOException {
            synchronized (this) {
                if (cancelled) {
                    throw new CancellationException("cancelled before it began");
                }
                writer = Thread.currentThread();
            }
            try {
                work.run();
            } catch (java.io.IOException | RuntimeException e) {
                synchronized (this) {
                    if (cancelled) {
                        CancellationException c = new CancellationException("cancelled");
                        c.initCause(e);
                        throw c;
                    }
                }
                throw e;
            } finally {
                synchronized (this) {
                    writer = null;
                    Thread.interrupted(); // a Cancel that came as the write ended
                }
            }
        }
    }

    /** Cancels the job shown, when it can be cancelled. */
    public void cancel() {
        Run run = current;
        if (run != null && run.cancel != null) {
            run.cancel.run();
        }
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** From 0 to 1, or {@link #INDETERMINATE}. */
    public ReadOnlyDoubleProperty fractionProperty() {
        return fraction.getReadOnlyProperty();
    }

    /** "about 1:20 left", once the pace so far tells it; empty before and at the end. */
    public ReadOnlyStringProperty timeLeftProperty() {
        return timeLeft.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty cancellableProperty() {
        return cancellable.getReadOnlyProperty();
    }

    /**
     * The time left at the pace so far: {@code elapsedNanos} took the job from share {@code from} to
     * {@code done}; empty when nothing was done in that time or all is done.
     */
    static String timeLeft(long elapsedNanos, double from, double done) {
        if (done >= 1 || done <= from) {
            return "";
        }
        double seconds = elapsedNanos / 1e9 / (done - from) * (1 - done);
        return "about " + Durations.clock(1000 * (long) Math.ceil(seconds)) + " left"; // never "0:00 left"
    }

    /**
     * One job's reports: the share done, as a {@link DoubleConsumer} core code takes, from any
     * thread. The time left counts from {@link #begin} — when the job leaves its queue — or else
     * from its first report.
     */
    public final class Run implements DoubleConsumer {
        private final Runnable cancel;
        private long fromNanos;
        private double from = Double.NaN;

        private Run(Runnable cancel) {
            this.cancel = cancel;
        }

        /** The job's work begins now, from nothing done: the time left is told from this moment. */
        public synchronized void begin() {
            fromNanos = System.nanoTime();
            from = 0;
        }

        /** The share done so far, from 0 to 1. */
        @Override
        public void accept(double done) {
            ui.run(new Report(this, done, left(done)));
        }

        private synchronized String left(double done) {
            long now = System.nanoTime();
            if (Double.isNaN(from)) {
                fromNanos = now;
                from = done;
            }
            return timeLeft(now - fromNanos, from, done);
        }

        /** The job ended, one way or another: its row hides. */
        public void end() {
            ui.run(() -> {
                if (current == this) {
                    current = null;
                    running.set(false);
                    timeLeft.set("");
                    cancellable.set(false);
                }
            });
        }
    }

    /** A share done on its way to the UI thread (where it shows unless its job was replaced or ended). */
    public final class Report implements Runnable {
        private final Run run;
        private final double done;
        private final String left;

        private Report(Run run, double done, String left) {
            this.run = run;
            this.done = done;
            this.left = left;
        }

        /** The share done this report tells. */
        public double fraction() {
            return done;
        }

        @Override
        public void run() {
            if (current == run) {
                fraction.set(done);
                timeLeft.set(left);
            }
        }
    }
}
