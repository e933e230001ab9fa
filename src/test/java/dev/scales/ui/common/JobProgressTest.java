package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.util.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A long job's share, time left and Cancel, as its progress row shows them. */
class JobProgressTest {
    private final JobProgress progress = new JobProgress(UiThread.DIRECT);

    @Test
    void theTimeLeftIsThePaceSoFarCarriedToTheEnd() {
        long thirtySeconds = 30_000_000_000L;
        assertThat(JobProgress.timeLeft(thirtySeconds, 0, 0.25)).isEqualTo("about 1:30 left");
        assertThat(JobProgress.timeLeft(thirtySeconds, 0.5, 0.75)).isEqualTo("about 0:30 left"); // from where it began
        assertThat(JobProgress.timeLeft(1_000_000, 0, 0.5)).as("a moment").isEqualTo("about 0:01 left");
        assertThat(JobProgress.timeLeft(thirtySeconds, 0.5, 0.5)).as("nothing done yet").isEmpty();
        assertThat(JobProgress.timeLeft(thirtySeconds, 0, 1)).as("done").isEmpty();
    }

    @Test
    void aJobShowsFromItsStartToItsEndItsShareRisingAndCancelStopsIt() {
        AtomicInteger cancels = new AtomicInteger();
        List<Double> shares = new ArrayList<>();
        progress.fractionProperty().addListener((o, was, now) -> shares.add(now.doubleValue()));

        JobProgress.Run run = progress.start(cancels::incrementAndGet);
        assertThat(progress.runningProperty().get()).isTrue();
        assertThat(progress.cancellableProperty().get()).isTrue();
        run.begin();
        run.accept(0.5);
        assertThat(progress.timeLeftProperty().get()).matches("about \\d+:\\d\\d left");
        run.accept(1);
        progress.cancel();
        run.end();

        assertThat(shares).containsExactly(JobProgress.INDETERMINATE, 0.5, 1.0);
        assertThat(cancels).hasValue(1);
        assertThat(progress.runningProperty().get()).isFalse();
        assertThat(progress.timeLeftProperty().get()).isEmpty();
    }

    @Test
    void aReplacedJobsLateReportsAndEndAreDropped() {
        JobProgress.Run first = progress.start(() -> { });
        JobProgress.Run second = progress.start(null);
        first.accept(0.9);
        first.end();

        assertThat(progress.runningProperty().get()).as("the second job still runs").isTrue();
        assertThat(progress.fractionProperty().get()).isEqualTo(JobProgress.INDETERMINATE);
        assertThat(progress.cancellableProperty().get()).as("the second cannot be cancelled").isFalse();
        second.end();
        assertThat(progress.runningProperty().get()).isFalse();
    }

    @Test
    void aFileWrittenShowsAsAJobThatCanBeCancelled() {
        List<Boolean> running = new ArrayList<>();
        List<Boolean> cancellable = new ArrayList<>();
        List<Exception> done = new ArrayList<>();

        progress.writeFile(() -> {
            running.add(progress.runningProperty().get());
            cancellable.add(progress.cancellableProperty().get());
        }, done::add);

        assertThat(running).containsExactly(true);
        assertThat(cancellable).containsExactly(true);
        assertThat(done).containsExactly((Exception) null);
        assertThat(progress.runningProperty().get()).isFalse();
    }

    @Test
    void cancellingAFileBeingWrittenLeavesTheOldFileAndNoTemporaryOneAndTheNextWriteGoesThrough(@TempDir Path dir)
            throws Exception {
        // given a file already saved, and writes made on a thread of their own, as the app makes them
        Path file = dir.resolve("losses.csv");
        Files.writeString(file, "the old losses");
        ExecutorService files = Executors.newSingleThreadExecutor();
        BlockingQueue<Optional<Exception>> outcomes = new LinkedBlockingQueue<>();
        UiThread ui = new UiThread() {
            @Override
            public void run(Runnable update) {
                update.run();
            }

            @Override
            public <T> void offThread(Callable<T> work, BiConsumer<T, Exception> done) {
                files.execute(() -> UiThread.DIRECT.offThread(work, done));
            }
        };
        JobProgress export = new JobProgress(ui);
        CountDownLatch writing = new CountDownLatch(1);
        AtomicInteger written = new AtomicInteger();
        try {
            // when a long write is cancelled halfway through
            export.writeFile(() -> AtomicFiles.write(file, out -> {
                writing.countDown();
                while (written.get() < 2_000) { // at most 2 GB: the test would fail, not fill the disk
                    out.write(new byte[1 << 20]);
                    written.incrementAndGet();
                }
            }), e -> outcomes.add(Optional.ofNullable(e)));
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(export.cancellableProperty().get()).isTrue();
            export.cancel();
            Optional<Exception> cancelled = outcomes.poll(30, TimeUnit.SECONDS);

            // then it stops where it was, ends as a cancellation, the old file intact and nothing else beside it
            assertThat(written).as("megabytes written").hasValueLessThan(2_000);
            assertThat(cancelled).as("the write ended").isNotNull();
            assertThat(cancelled).hasValueSatisfying(e -> assertThat(Errors.isCancellation(e)).as(e.toString()).isTrue());
            assertThat(Errors.saving(cancelled.get(), "the losses", file))
                    .isEqualTo("cancelled saving the losses; losses.csv is left as it was");
            assertThat(Files.readString(file)).isEqualTo("the old losses");
            try (var left = Files.list(dir)) {
                assertThat(left).containsExactly(file);
            }
            assertThat(export.runningProperty().get()).isFalse();

            // and the next write on the same thread is not interrupted
            export.writeFile(() -> AtomicFiles.writeString(file, "the new losses"), e -> outcomes.add(Optional.ofNullable(e)));
            assertThat(outcomes.poll(30, TimeUnit.SECONDS)).isEmpty();
            assertThat(Files.readString(file)).isEqualTo("the new losses");
        } finally {
            files.shutdownNow();
        }
    }
}
