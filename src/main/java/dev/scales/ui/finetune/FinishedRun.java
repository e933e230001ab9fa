package dev.scales.ui.finetune;

import dev.scales.core.train.TrainingEvent;
import java.util.List;
import java.util.Locale;

/**
 * A run of this session: its name ("#n method · lr"), settings, every event, how it ended, how
 * long it took and where its result was saved ("" until saved) — listed, and reopenable on the chart.
 */
public record FinishedRun(String name, String settings, List<TrainingEvent> events, TrainingEvent.Finished finished,
                          long millis, String output) {
    public FinishedRun {
        events = List.copyOf(events);
    }

    /** The last logged training loss (NaN without a step). */
    public double finalTrainLoss() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof TrainingEvent.Step st) {
                return st.trainLoss();
            }
        }
        return Double.NaN;
    }

    FinishedRun savedTo(String where) {
        return new FinishedRun(name, settings, events, finished, millis, where);
    }

    /** One line: name, steps, outcome, final and best losses, duration, output. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s · %d steps · %s%s%s · %s%s", name, finished.steps(),
                finished.outcome().name().toLowerCase(Locale.ROOT),
                Double.isNaN(finalTrainLoss()) ? "" : String.format(Locale.ROOT, " · loss %.3f", finalTrainLoss()),
                Double.isNaN(finished.bestValidationLoss()) ? ""
                        : String.format(Locale.ROOT, " · best val %.3f", finished.bestValidationLoss()),
                duration(millis), output.isEmpty() ? "" : " · saved to " + output);
    }

    /** A duration as m:ss, or h:mm:ss from an hour. */
    static String duration(long millis) {
        long s = millis / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
