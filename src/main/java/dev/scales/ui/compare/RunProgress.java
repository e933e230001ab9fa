package dev.scales.ui.compare;

import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.Studies.Point;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.util.List;
import javafx.beans.property.StringProperty;

/**
 * A running experiment as it shows itself: the share done with the time left (its
 * {@link JobProgress}), the status line, and each grid cell filled as its seeds come in (the run
 * takes minutes; the screen should not look idle).
 */
final class RunProgress {
    private final UiThread ui;
    private final StringProperty status;
    private final List<CompareViewModel.Cell> cells;
    private final JobProgress job;

    RunProgress(UiThread ui, StringProperty status, List<CompareViewModel.Cell> cells) {
        this.ui = ui;
        this.status = status;
        this.cells = cells;
        this.job = new JobProgress(ui);
    }

    /** The share done (-1 until the first fine-tune has finished), the time left and Cancel. */
    JobProgress job() {
        return job;
    }

    /** Clears the grid and shows the bar for a run starting now (on the FX thread); {@code cancel} stops it. */
    JobProgress.Run starting(int seeds, Runnable cancel) {
        for (CompareViewModel.Cell c : cells) {
            c.show("…", "waiting for the first of " + seeds + " seeds");
        }
        return job.start(cancel);
    }

    /** The listener of a run that begins now: every report is handed to the FX thread. */
    ExperimentRun.Progress listener(int seeds, JobProgress.Run run) {
        run.begin();
        return new ExperimentRun.Progress() {
            @Override
            public void message(String line) {
                ui.run(() -> status.set(line));
            }

            @Override
            public void done(double fraction) {
                run.accept(fraction);
            }

            @Override
            public void cell(int method, Point accuracySoFar) {
                ui.run(() -> cells.get(method).show(CompareViewModel.Cell.percent(accuracySoFar.mean()),
                        "so far: " + accuracySoFar.values().size() + " of " + seeds + " seeds"));
            }
        };
    }
}
