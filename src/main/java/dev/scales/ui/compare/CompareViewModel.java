package dev.scales.ui.compare;

import dev.scales.core.ScalesException;
import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Experiment;
import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.ExperimentReport;
import dev.scales.core.experiment.RunRecords;
import dev.scales.core.AppPaths;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.JobProgress;
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

        /** An accuracy as a cell shows it: "62.5%". */
        static String percent(double accuracy) {
            return String.format(Locale.ROOT, "%.1f%%", 100 * accuracy);
        }

        void show(String value, String detail) {
            this.value.set(value);
            this.detail.set(detail);
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
    private final KeptRuns kept;
    private volatile String keepError;
    private final RunProgress progress;
    private final JobProgress exporting;

    /** Keeps every run under the user's configuration folder ({@code runs/}). */
    public CompareViewModel(ModelManager manager, UiThread ui) {
        this(manager, ui, AppPaths.configDir().resolve("runs"));
    }

    /** Keeps every run in a folder of its own under {@code runsRoot}, to show again or lay beside another. */
    public CompareViewModel(ModelManager manager, UiThread ui, Path runsRoot) {
        this.manager = manager;
        this.ui = ui;
        this.kept = new KeptRuns(runsRoot, status::set);
        this.progress = new RunProgress(ui, status, cells);
        this.exporting = new JobProgress(ui);
        filter.addListener((obs, old, now) -> shownOutputs.setPredicate(now == null ? null : now.test::test));
        refreshKeptRuns();
    }

    /** Rereads the list of kept runs, newest first; the choice stays where it can. */
    public void refreshKeptRuns() {
        kept.refresh();
    }

    /** Shows the chosen kept run as if it had just run (a bad record is named in the status). */
    public void showKept() {
        ExperimentRun.Results r = kept.readChosen();
        if (r != null) {
            show(r);
            status.set("showing the run kept in " + kept.chosenProperty().get().dir());
        }
    }

    /** Lays the chosen kept run beside the results shown, measure by measure. */
    public void sideBySide() {
        kept.sideBySide(results.get());
    }

    /** Writes the side-by-side table as CSV. */
    public void exportComparison(Path file) {
        kept.exportComparison(file, exporting);
    }

    /** Reads an experiment file; a bad one leaves the view as it was and says why. */
    public void open(Path path) {
        open(path, true);
    }

    /**
     * Reads an experiment file, unless it names files outside its folder and Scales' own folders and
     * {@code trusted} is false: then nothing changes and those files are returned for the user to
     * confirm (an empty list: opened, or refused for a reason the status gives).
     */
    public List<String> open(Path path, boolean trusted) {
        try {
            Experiment read = Experiment.read(path);
            List<String> outside = read.outside(path);
            if (!outside.isEmpty() && !trusted) {
                status.set(path.getFileName() + " reads files outside its folder: " + String.join("; ", outside));
                return outside;
            }
            experiment.set(read);
            file.set(path);
            status.set("“" + experiment.get().name() + "”: " + experiment.get().seeds() + " seeds, "
                    + experiment.get().shots() + " shots, fine-tuning (" + experiment.get().fineTune().method()
                    + ") on " + experiment.get().trainingSize() + " examples. Run it to fill the grid.");
        } catch (ScalesException e) {
            status.set(e.getMessage());
        }
        return List.of();
    }

    /** Runs the open experiment as a job of the model manager (it queues behind interactive work). */
    public void run() {
        Experiment e = experiment.get();
        if (e == null || running.get()) {
            return;
        }
        running.set(true);
        status.set("running “" + e.name() + "”…");
        JobProgress.Run shown = progress.starting(e.seeds(), this::cancelRun);
        keepError = null;
        // on the device of the model chosen in the app, in that device's lane
        job = manager.submitOnCurrentDevice("experiment " + e.name(), Job.Priority.EVALUATION, true, (device, ctx) -> {
            ExperimentRun.Results r = ExperimentRun.run(e, device, progress.listener(e.seeds(), shown),
                    ctx::isCancelled);
            keepError = kept.keep(r);
            return r;
        });
        job.future().whenComplete((r, error) -> ui.run(() -> {
            shown.end();
            running.set(false);
            if (r != null) {
                show(r);
                refreshKeptRuns();
                if (keepError != null) {
                    status.set(status.get() + " Not kept: " + keepError);
                }
            } else {
                // an unexpected failure also opens its details (Errors)
                status.set(Errors.isCancellation(error) ? "cancelled" : "the experiment failed: " + Errors.message(error));
            }
        }));
    }

    /**
     * A running experiment: the share done, from 0 to 1 (-1 until the first fine-tune has told), how
     * long it has left as far as its pace so far tells, and its Cancel.
     */
    public JobProgress runProgress() {
        return progress.job();
    }

    /** An export under way (results file by file, with Cancel; the side-by-side table at once). */
    public JobProgress exportProgress() {
        return exporting;
    }

    /** Stops the experiment running and the export under way, if any. */
    public void cancel() {
        cancelRun();
        exporting.cancel();
    }

    private void cancelRun() {
        Job<?> j = job;
        if (j != null) {
            j.cancel();
        }
    }

    /** Shows a run's results (also used to lay out saved results). */
    public void show(ExperimentRun.Results r) {
        results.set(r);
        kept.clearComparison();
        for (int i = 0; i < 4; i++) {
            ExperimentRun.Cell c = r.grid().get(i);
            cells.get(i).show(Cell.percent(c.accuracy().mean()), String.format(Locale.ROOT, "± %.1f over %d seeds · "
                    + "macro-F1 %.2f%n%s%.0f tokens per prediction", 100 * c.accuracy().std(),
                    c.accuracy().values().size(), c.macroF1().mean(), c.shots() > 0 ? c.shots() + " demonstrations · " : "",
                    c.promptTokensPerPrediction()));
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
        status.set("exporting the results to " + dir + "…");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        JobProgress.Run shown = exporting.start(() -> stop.set(true));
        ui.writeFile(() -> {
            shown.begin();
            ExperimentReport.write(r, dir, shown, stop::get);
        }, e -> {
            shown.end();
            status.set(e == null ? "exported the results to " + dir : Errors.isCancellation(e)
                    ? "export cancelled; the files written before stay in " + dir
                    : "could not export to " + dir + ": " + Errors.message(e));
        });
    }

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

    /** Opens the default experiment (sentiment on the bundled model) when it is there. */
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

    /** Runs kept so far (each run of the app keeps one), newest first. */
    public ObservableList<RunRecords.Record> keptRuns() {
        return kept.runs();
    }

    public ObjectProperty<RunRecords.Record> chosenRunProperty() {
        return kept.chosenProperty();
    }

    /** The shown run beside the chosen kept one; empty until {@link #sideBySide}. */
    public ObservableList<RunRecords.Row> comparison() {
        return kept.comparison();
    }

    /** The label of the run laid beside the shown one ("" when none). */
    public ReadOnlyStringProperty comparedWithProperty() {
        return kept.comparedWithProperty();
    }
}
