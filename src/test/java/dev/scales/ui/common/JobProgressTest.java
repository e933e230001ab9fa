package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

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
    void aFileWrittenShowsAsAJobThatCannotBeStopped() {
        List<Boolean> running = new ArrayList<>();
        List<Boolean> cancellable = new ArrayList<>();
        List<Exception> done = new ArrayList<>();

        progress.writeFile(() -> {
            running.add(progress.runningProperty().get());
            cancellable.add(progress.cancellableProperty().get());
        }, done::add);

        assertThat(running).containsExactly(true);
        assertThat(cancellable).containsExactly(false);
        assertThat(done).containsExactly((Exception) null);
        assertThat(progress.runningProperty().get()).isFalse();
    }
}
