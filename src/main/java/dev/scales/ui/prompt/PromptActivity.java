package dev.scales.ui.prompt;

import dev.scales.core.device.Job;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * What the prompt pane is busy with: one run, evaluation or sweep at a time, the progress of an
 * evaluation or sweep, and the status line that evaluations, sweeps and file work report on.
 */
final class PromptActivity {
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "evaluationStatus", "");
    private final UiThread ui;
    private final JobProgress progress;
    private volatile Job<?> job;

    PromptActivity(UiThread ui) {
        this.ui = ui;
        this.progress = new JobProgress(ui);
    }

    /** Whether a run, an evaluation or a sweep is under way. */
    ReadOnlyBooleanWrapper running() {
        return running;
    }

    /** The evaluation status line. */
    ReadOnlyStringWrapper status() {
        return status;
    }

    /** The evaluation or sweep under way: its share done, the time left, its Cancel. */
    JobProgress progress() {
        return progress;
    }

    /**
     * An evaluation or sweep starts (on the UI thread): the pane is busy and its progress shows, with
     * a Cancel that stops the job {@link #whenEnded} is then given. It reports through the run returned.
     */
    JobProgress.Run starting() {
        running.set(true);
        return progress.start(this::cancelJob);
    }

    /**
     * When an evaluation or sweep job ends: its error in the status, or its result to {@code show};
     * then its progress hides and the pane is idle again (so whoever waits for that sees the results
     * in place).
     */
    <T> void whenEnded(Job<T> job, JobProgress.Run shown, Consumer<T> show) {
        this.job = job;
        job.future().whenComplete((r, e) -> ui.run(() -> {
            this.job = null;
            if (e != null) {
                status.set(Errors.message(e));
            } else {
                show.accept(r);
            }
            shown.end();
            running.set(false);
        }));
    }

    /** Cancels the evaluation or sweep under way, if any. */
    void cancelJob() {
        Job<?> j = job;
        if (j != null) {
            j.cancel();
        }
    }
}
