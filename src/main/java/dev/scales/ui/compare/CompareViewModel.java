package dev.scales.ui.compare;

import dev.scales.core.ScalesException;
import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Experiment;
import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.ExperimentReport;
import dev.scales.ui.common.UiThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * State of the compare view: an experiment file, run through the model manager, and what it
 * measured — the 2×2 grid (base / fine-tuned × zero-shot / few-shot), each test example's outputs
 * side by side (filterable), accuracy against labelled examples, cost and forgetting.
 */
public final class CompareViewModel {
    /** One cell of the grid. */
    public static final class Cell {
        private final String model;
        private final String prompting;
        private final ReadOnlyStringWrapper value = new ReadOnlyStringWrapper(this, "value", "—");
        private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper(this, "detail", "not measured yet");

        Cell(String model, String prompting) {
            this.model = model;
            this.prompting = prompting;
        }

        public String model() {
            return model;
        }

        public String prompting() {
            return prompting;
        }

        public ReadOnlyStringProperty valueProperty() {
            return value.getReadOnlyProperty();
        }

        public ReadOnlyStringProperty detailProperty() {
            return detail.getReadOnlyProperty();
        }
    }

    /** Which test examples the outputs table shows. */
    public enum Filter {
        ALL("all examples", o -> true),
        DISAGREE("methods disagree", o -> o.predicted().stream().distinct().count() > 1),
        ALL_WRONG("all wrong", o -> java.util.stream.IntStream.range(0, 4).noneMatch(o::correct)),
        ONLY_FINE_TUNING("only fine-tuning right", o -> (o.correct(2) || o.correct(3)) && !o.correct(0) && !o.correct(1)),
        ONLY_PROMPTING("only prompting right", o -> o.correct(1) && !o.correct(2) && !o.correct(3));

        private final String text;
        final Predicate<ExperimentRun.Output> test;

        Filter(String text, Predicate<ExperimentRun.Output> test) {
            this.text = text;
            this.test = test;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final ModelManager manager;
    private final UiThread ui;
    private final List<Cell> cells = List.of(new Cell("Base model", "Zero-shot"), new Cell("Base model", "Few-shot"),
            new Cell("Fine-tuned", "Zero-shot"), new Cell("Fine-tuned", "Few-shot"));
    private final ReadOnlyObjectWrapper<Path> file = new ReadOnlyObjectWrapper<>(this, "file");
    private final ReadOnlyObjectWrapper<Experiment> experiment = new ReadOnlyObjectWrapper<>(this, "experiment");
    private java.util.function.Function<Path, Experiment> setupSource = p -> {
        throw new dev.scales.core.ScalesException("no Lab to take a setup from");
    };
    private final ReadOnlyObjectWrapper<ExperimentRun.Results> results = new ReadOnlyObjectWrapper<>(this, "results");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status",
            "Open an experiment (sample-data/experiments/) and run it: the grid, the outputs and the charts fill in.");
    private final ReadOnlyStringWrapper cost = new ReadOnlyStringWrapper(this, "cost", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ObservableList<ExperimentRun.Output> outputs = FXCollections.observableArrayList();
    private final FilteredList<ExperimentRun.Output> shownOutputs = new FilteredList<>(outputs);
    private final ObjectProperty<Filter> filter = new SimpleObjectProperty<>(this, "filter", Filter.ALL);
    private volatile Job<ExperimentRun.Results> job;

    public CompareViewModel(ModelManager manager, UiThread ui) {
        this.manager = manager;
        this.ui = ui;
        filter.addListener((obs, old, now) -> shownOutputs.setPredicate(now == null ? null : now.test::test));
    }

    /** Reads an experiment file; a bad one leaves the view as it was and says why. */
    public void open(Path path) {
        try {
            experiment.set(Experiment.read(path));
            file.set(path);
            status.set("“" + experiment.get().name() + "”: " + experiment.get().seeds() + " seeds, "
                    + experiment.get().shots() + " shots, fine-tuning (" + experiment.get().fineTune().method()
                    + ") on " + experiment.get().trainingSize() + " examples. Run it to fill the grid.");
        } catch (ScalesException e) {
            status.set(e.getMessage());
        }
    }

    /** Runs the open experiment as a job of the model manager (it queues behind interactive work). */
    public void run() {
        Experiment e = experiment.get();
        if (e == null || running.get()) {
            return;
        }
        running.set(true);
        status.set("running “" + e.name() + "”…");
        job = manager.submitStandalone("experiment " + e.name(), Job.Priority.EVALUATION,
                ctx -> ExperimentRun.run(e, m -> ui.run(() -> status.set(m)), ctx::isCancelled));
        job.future().whenComplete((r, error) -> ui.run(() -> {
            running.set(false);
            if (r != null) {
                show(r);
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                status.set(cause instanceof java.util.concurrent.CancellationException ? "cancelled"
                        : "the experiment failed: " + cause.getMessage());
            }
        }));
    }

    public void cancel() {
        Job<?> j = job;
        if (j != null) {
            j.cancel();
        }
    }

    /** Shows a run's results (also used to lay out saved results). */
    public void show(ExperimentRun.Results r) {
        results.set(r);
        for (int i = 0; i < 4; i++) {
            ExperimentRun.Cell c = r.grid().get(i);
            cells.get(i).value.set(String.format(Locale.ROOT, "%.1f%%", 100 * c.accuracy().mean()));
            cells.get(i).detail.set(String.format(Locale.ROOT, "± %.1f over %d seeds · macro-F1 %.2f%n%s%.0f tokens per "
                    + "prediction", 100 * c.accuracy().std(), c.accuracy().values().size(), c.macroF1().mean(),
                    c.shots() > 0 ? c.shots() + " demonstrations · " : "", c.promptTokensPerPrediction()));
        }
        outputs.setAll(r.outputs());
        ExperimentRun.Cost k = r.cost();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "Fine-tuning cost %.1f s and %,d training tokens once; a few-shot prompt reads %.0f tokens per prediction "
                        + "instead of %.0f. Fine-tuning is cheaper after %s predictions (tokens) or %s (measured time).",
                k.trainingSeconds(), k.trainingTokens(), k.fewShotTokensPerPrediction(), k.zeroShotTokensPerPrediction(),
                count(k.breakEvenByTokens()), count(k.breakEvenBySeconds())));
        if (r.forgetting() != null) {
            b.append(String.format(Locale.ROOT, " Forgetting: held-out text perplexity %.2f → %.2f (%+.1f%%).",
                    r.forgetting().basePerplexity(), r.forgetting().fineTunedPerplexity(), r.forgetting().risePercent()));
        }
        cost.set(b.toString());
        status.set(String.format(Locale.ROOT, "“%s” ran in %.0f s on %s.", r.experiment().name(),
                r.elapsedMillis() / 1000.0, r.device()));
    }

    private static String count(double v) {
        return Double.isInfinite(v) ? "never" : String.format(Locale.ROOT, "%,.0f", v);
    }

    /** Writes results.json, the CSV tables and the charts into {@code dir}. */
    public void export(Path dir) {
        ExperimentRun.Results r = results.get();
        if (r == null) {
            return;
        }
        try {
            ExperimentReport.write(r, dir);
            status.set("exported the results to " + dir);
        } catch (IOException | RuntimeException e) {
            status.set("could not export to " + dir + ": " + e.getMessage());
        }
    }

    /** Opens the default experiment (sentiment on the bundled model) when it is there. */
    /**
     * Where "save the Lab's setup" gets its experiment: given the file it will be written to, the
     * experiment the Lab's panes describe (set by the main view model).
     */
    public void setSetupSource(java.util.function.Function<Path, Experiment> source) {
        this.setupSource = source;
    }

    /** Writes the Lab's setup as an experiment file and opens it here; what is missing shows in the status. */
    public void saveSetup(Path path) {
        try {
            Experiment e = setupSource.apply(path);
            e.write(path);
            open(path);
        } catch (dev.scales.core.ScalesException | java.io.IOException e) {
            status.set("could not save the Lab's setup: " + e.getMessage());
        }
    }

    public void openDefault(Path home) {
        Path f = home.resolve("sample-data").resolve("experiments").resolve("sentiment.json");
        if (Files.isRegularFile(f)) {
            open(f);
        }
    }

    /** The four cells in reading order: base zero-shot, base few-shot, fine-tuned zero-shot, fine-tuned few-shot. */
    public List<Cell> cells() {
        return cells;
    }

    public ReadOnlyObjectProperty<Path> fileProperty() {
        return file.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Experiment> experimentProperty() {
        return experiment.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ExperimentRun.Results> resultsProperty() {
        return results.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty costProperty() {
        return cost.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** The test examples the filter lets through. */
    public ObservableList<ExperimentRun.Output> shownOutputs() {
        return shownOutputs;
    }

    public ObjectProperty<Filter> filterProperty() {
        return filter;
    }
}
