package dev.scales.ui.finetune;

import dev.scales.core.train.Ema;
import dev.scales.core.train.TrainingEvent;
import dev.scales.core.util.CsvFiles;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.ImageWriter;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The chart's series of the current run — training loss raw and smoothed, validation loss,
 * learning rate, the best checkpoint, the latest validation accuracy — filled from batches of
 * training events, and the last runs' smoothed curves kept for comparison; exported as a CSV table
 * or an image of the chart.
 */
final class LossCurves {
    private final ObservableList<double[]> trainLoss = FXCollections.observableArrayList();
    /** Read-only views kept as fields: views made per call are collected, and their listeners with them. */
    private final ObservableList<double[]> trainLossView = FXCollections.unmodifiableObservableList(trainLoss);
    private final ObservableList<double[]> smoothedLoss = FXCollections.observableArrayList();
    private final ObservableList<double[]> smoothedLossView = FXCollections.unmodifiableObservableList(smoothedLoss);
    private final ObservableList<double[]> validationLoss = FXCollections.observableArrayList();
    private final ObservableList<double[]> validationLossView = FXCollections.unmodifiableObservableList(validationLoss);
    private final ObservableList<double[]> learningRates = FXCollections.observableArrayList();
    private final ObservableList<double[]> learningRatesView = FXCollections.unmodifiableObservableList(learningRates);
    private final ReadOnlyObjectWrapper<FineTuneViewModel.Best> best = new ReadOnlyObjectWrapper<>(this, "best");
    private final ObservableList<FineTuneViewModel.Curve> earlierRuns = FXCollections.observableArrayList();
    private final ObservableList<FineTuneViewModel.Curve> earlierRunsView =
            FXCollections.unmodifiableObservableList(earlierRuns);
    private final ReadOnlyStringWrapper validationAccuracy = new ReadOnlyStringWrapper(this, "validationAccuracy", "");
    private Ema ema = new Ema(0.9);
    /** The current (or last) run's name: its curve is kept under it when the next run begins. */
    private String runName = "";
    private final Consumer<String> status;
    private final JobProgress exporting;

    /** @param status where an export says how it went */
    LossCurves(UiThread ui, Consumer<String> status) {
        this.status = status;
        this.exporting = new JobProgress(ui);
    }

    /**
     * Clears the series for a new run named {@code name}; the previous run's smoothed curve, if it
     * has one, joins the earlier runs (the last {@value FineTuneViewModel#EARLIER_RUNS} are kept,
     * oldest first).
     */
    void begin(String name) {
        if (!smoothedLoss.isEmpty()) {
            List<FineTuneViewModel.Curve> kept = new ArrayList<>(earlierRuns);
            kept.add(new FineTuneViewModel.Curve(runName, List.copyOf(smoothedLoss)));
            int keep = FineTuneViewModel.EARLIER_RUNS;
            earlierRuns.setAll(kept.subList(Math.max(0, kept.size() - keep), kept.size()));
        }
        runName = name;
        validationAccuracy.set("");
        trainLoss.clear();
        smoothedLoss.clear();
        validationLoss.clear();
        learningRates.clear();
        best.set(null);
        ema = new Ema(0.9);
    }

    /** Adds a batch of the current run's events: one update per series. */
    void add(List<TrainingEvent> batch) {
        List<double[]> train = new ArrayList<>();
        List<double[]> smooth = new ArrayList<>();
        List<double[]> val = new ArrayList<>();
        List<double[]> rates = new ArrayList<>();
        FineTuneViewModel.Best lowest = best.get();
        for (TrainingEvent ev : batch) {
            if (ev instanceof TrainingEvent.Step st) {
                double loss = decimal(st.trainLoss());
                train.add(new double[] {st.step(), loss});
                smooth.add(new double[] {st.step(), ema.add(loss)});
                rates.add(new double[] {st.step(), decimal(st.learningRate())});
            } else if (ev instanceof TrainingEvent.Evaluation v) {
                val.add(new double[] {v.step(), v.validationLoss()});
                if (!Double.isNaN(v.validationAccuracy())) {
                    validationAccuracy.set(String.format(Locale.ROOT, "validation accuracy %.1f%% at step %d",
                            100 * v.validationAccuracy(), v.step()));
                }
                if (lowest == null || v.validationLoss() < lowest.validationLoss()) {
                    lowest = new FineTuneViewModel.Best(v.step(), v.validationLoss());
                }
            }
        }
        trainLoss.addAll(train);
        smoothedLoss.addAll(smooth);
        validationLoss.addAll(val);
        learningRates.addAll(rates);
        best.set(lowest);
    }

    /** A float as the double of its shortest decimal (0.001f as 0.001, not 0.0010000000474974513). */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /**
     * Writes the current run to {@code file}: a CSV table of its steps (.csv) or, for any other
     * extension, the chart image {@code image} draws. The outcome is reported in the status.
     */
    void export(Path file, ImageWriter image) {
        UiThread.FileWork work;
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
                List<List<Object>> rows = rows(); // read here, written on the file thread
                work = () -> CsvFiles.write(file, COLUMNS, rows);
            } else {
                work = image.draw(file);
            }
        } catch (IOException | RuntimeException e) {
            status.accept("could not save the losses to " + file + ": " + Errors.message(e));
            return;
        }
        status.accept("saving the losses to " + file.getFileName() + "…");
        exporting.writeFile(work, e -> status.accept(Errors.saving(e, "the losses", file)));
    }

    /** An export under way. */
    JobProgress exportProgress() {
        return exporting;
    }

    /** The CSV export's columns. */
    static final List<String> COLUMNS = List.of("step", "train_loss", "smoothed_loss", "validation_loss",
            "learning_rate");

    /** One row per step: step, train loss, smoothed loss, validation loss (blank where none), learning rate. */
    List<List<Object>> rows() {
        Map<Integer, Double> validation = new HashMap<>();
        validationLoss.forEach(p -> validation.put((int) p[0], p[1]));
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < trainLoss.size(); i++) {
            int step = (int) trainLoss.get(i)[0];
            Object val = validation.containsKey(step) ? validation.get(step) : "";
            rows.add(List.of(step, trainLoss.get(i)[1], smoothedLoss.get(i)[1], val, learningRates.get(i)[1]));
        }
        return rows;
    }

    ObservableList<double[]> trainLoss() {
        return trainLossView;
    }

    ObservableList<double[]> smoothedLoss() {
        return smoothedLossView;
    }

    ObservableList<double[]> validationLoss() {
        return validationLossView;
    }

    ObservableList<double[]> learningRates() {
        return learningRatesView;
    }

    ReadOnlyObjectProperty<FineTuneViewModel.Best> bestProperty() {
        return best.getReadOnlyProperty();
    }

    ObservableList<FineTuneViewModel.Curve> earlierRuns() {
        return earlierRunsView;
    }

    ReadOnlyStringProperty validationAccuracyProperty() {
        return validationAccuracy.getReadOnlyProperty();
    }
}
