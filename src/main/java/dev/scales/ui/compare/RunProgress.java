package dev.scales.ui.compare;

import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.Studies.Point;
import dev.scales.core.util.Durations;
import dev.scales.ui.common.UiThread;
import java.util.List;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.StringProperty;

/**
 * A running experiment as it shows itself: the share done with the time left, the status line, and
 * each grid cell filled as its seeds come in (the run takes minutes; the screen should not look idle).
 */
final class RunProgress {
    private final UiThread ui;
    private final StringProperty status;
    private final List<CompareViewModel.Cell> cells;
    private final ReadOnlyDoubleWrapper done = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper left = new ReadOnlyStringWrapper(this, "timeLeft", "");

    RunProgress(UiThread ui, StringProperty status, List<CompareViewModel.Cell> cells) {
        this.ui = ui;
        this.status = status;
        this.cells = cells;
    }

    /** From 0 to 1; -1 (indeterminate) until the first fine-tune has finished. */
    ReadOnlyDoubleProperty progressProperty() {
        return done.getReadOnlyProperty();
    }

    /** "about 1:20 left", once there is something to tell it from. */
    ReadOnlyStringProperty timeLeftProperty() {
        return left.getReadOnlyProperty();
    }

    /** Clears the grid and the bar for a run starting now (on the FX thread). */
    void starting(int seeds) {
        done.set(-1);
        left.set("");
        for (CompareViewModel.Cell c : cells) {
            c.show("…", "waiting for the first of " + seeds + " seeds");
        }
    }

    /** The run's listener: every report is handed to the FX thread. */
    ExperimentRun.Progress listener(int seeds) {
        long start = System.nanoTime();
        return new ExperimentRun.Progress() {
            @Override
            public void message(String line) {
                ui.run(() -> status.set(line));
            }

            @Override
            public void done(double fraction) {
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                ui.run(() -> {
                    done.set(fraction);
                    left.set(fraction >= 1 ? "" : "about " + Durations.clock(Math.round(elapsed / fraction
                            * (1 - fraction))) + " left");
                });
            }

            @Override
            public void cell(int method, Point accuracySoFar) {
                ui.run(() -> cells.get(method).show(CompareViewModel.Cell.percent(accuracySoFar.mean()),
                        "so far: " + accuracySoFar.values().size() + " of " + seeds + " seeds"));
            }
        };
    }

    /** The run ended, one way or another. */
    void ended() {
        done.set(0);
        left.set("");
    }
}
