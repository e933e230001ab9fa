package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javafx.application.Platform;

/**
 * The FX thread for a test's view models, with a hook to catch a long job mid-way: once asked, the
 * n-th report of a share above 0 that a job sends from its own thread waits there, before it reaches
 * the screen, until the test releases it. The test can then cancel a job that surely runs and has
 * shown some progress, and see it stop at its next check — no timing involved.
 */
final class HeldReports implements UiThread {
    private static final long WAIT_SECONDS = 60;

    private int untilHeld;
    private CountDownLatch held = new CountDownLatch(0);
    private CountDownLatch released = new CountDownLatch(0);

    /** Holds the {@code n}-th report of a share above 0 from now on (once). */
    synchronized void holdReport(int n) {
        untilHeld = n;
        held = new CountDownLatch(1);
        released = new CountDownLatch(1);
    }

    /** Waits until the report is held: its job waits for {@link #release}. */
    void awaitHeld() throws InterruptedException {
        CountDownLatch h;
        synchronized (this) {
            h = held;
        }
        assertThat(h.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("a job's report held").isTrue();
    }

    /** Lets the held report (and the job that sent it) go on. */
    synchronized void release() {
        released.countDown();
    }

    @Override
    public void run(Runnable update) {
        if (update instanceof JobProgress.Report r && r.fraction() > 0 && !Platform.isFxApplicationThread()) {
            CountDownLatch wait = holdThis();
            if (wait != null) {
                try {
                    assertThat(wait.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("released").isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        FX.run(update);
    }

    /** The latch the report now arriving waits on, when it is the one to hold; else null. */
    private synchronized CountDownLatch holdThis() {
        if (untilHeld > 0 && --untilHeld == 0) {
            held.countDown();
            return released;
        }
        return null;
    }

    @Override
    public void runAfter(long millis, Runnable update) {
        FX.runAfter(millis, update);
    }

    @Override
    public <T> void offThread(Callable<T> work, BiConsumer<T, Exception> done) {
        FX.offThread(work, done);
    }
}
