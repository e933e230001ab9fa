package dev.scales.ui.finetune;

import dev.scales.core.data.LabelledData;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.train.RunFolder;
import dev.scales.core.train.TrainingData;
import dev.scales.core.train.TrainingEvent;
import dev.scales.core.train.TrainingExample;
import dev.scales.ui.common.ImageWriter;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.controlsfx.control.PropertySheet;

/**
 * State of the fine-tuning pane: the dataset, the method and its settings (typed as text and
 * validated in place), the run in progress and the runs so far. Training events arrive from the
 * model worker in batches and become chart points (losses, learning rate, the best checkpoint),
 * progress and status text; the last runs' smoothed curves are kept for comparison. Each part has
 * a class of its own ({@link DatasetState}, {@link SettingsForm}, {@link FineTuneRunner},
 * {@link LossCurves}); this one ties them together for the pane.
 */
public final class FineTuneViewModel {
    /** How many earlier runs' curves are kept for comparison. */
    public static final int EARLIER_RUNS = 3;
    /** The chart redraws at most this often (4 times a second) however fast a run steps. */
    static final long CHART_INTERVAL_MILLIS = 250;

    /** The lowest validation loss of the current run so far and the step it was measured at. */
    public record Best(int step, double validationLoss) {}

    /** An earlier run's smoothed training curve, named as the run is in {@link #runs()}. */
    public record Curve(String name, List<double[]> points) {}

    /** How much of the model is trained. */
    public enum Method {
        LORA("LoRA (adapters, base frozen)"), FULL("Full (every weight)");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final ModelManager manager;
    private final UiThread ui;
    private final Supplier<TrainingData.Format> format;
    private final DatasetState dataset;
    private final SettingsForm settings;
    private final LossCurves curves;
    private final FineTuneRunner runner;
    private final ReadOnlyBooleanWrapper modelLoaded = new ReadOnlyBooleanWrapper(this, "modelLoaded");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final StringBinding startBlockedReason;
    /** Runs started so far: numbers runs uniquely, failed ones included. */
    private int runCount;

    /**
     * @param format how labelled rows are written: the prompt pane's instruction and template, so
     *               fine-tuning trains on the prompt its zero-shot evaluation uses
     */
    public FineTuneViewModel(ModelManager manager, UiThread ui, Supplier<TrainingData.Format> format) {
        this.manager = manager;
        this.ui = ui;
        this.format = format;
        this.dataset = new DatasetState(format, ui);
        this.curves = new LossCurves(ui, status::set);
        this.settings = new SettingsForm(() -> manager.current()
                .map(m -> LoraConfig.defaultTargets(m.config().architecture())).orElse(List.of("q_proj")));
        this.runner = new FineTuneRunner(manager, ui, status::set, (name, earlier) -> {
            progress.set(0);
            beginRun(name);
            addEvents(earlier);
        }, this::addEvents);
        startBlockedReason = Bindings.createStringBinding(() -> {
            if (!modelLoaded.get()) {
                return "Load a model to fine-tune it.";
            }
            if (dataset.readingProperty().get()) {
                return "Reading the dataset…";
            }
            if (dataset.fileProperty().get() == null || dataset.size() == 0) {
                return "Choose a labelled dataset (JSONL or CSV).";
            }
            if (runner.runningProperty().get()) {
                return "A run is in progress.";
            }
            return settings.error().get();
        }, modelLoaded, dataset.readingProperty(), dataset.fileProperty(), dataset.sizeProperty(),
                runner.runningProperty(), settings.error());
    }

    /** The input slots of the template labelled rows are written with (the prompt pane's). */
    public List<String> templateSlots() {
        return format.get().template().slots();
    }

    /** The settings as typed; throws naming the first bad value. */
    public FineTuneSettings settings() {
        return settings.read();
    }

    /** What is wrong with the setting typed into {@code p} ("" when nothing): flagged beside its field. */
    public StringBinding errorOf(StringProperty p) {
        return settings.errorOf(p);
    }

    /** The settings beyond the four on the pane's first row, as PropertySheet rows flagged in place. */
    public List<PropertySheet.Item> moreSettings() {
        return settings.moreSettings();
    }

    /** Which fields of the open dataset are the input and the label, and its label map. */
    public LabelledData.Fields fields() {
        return dataset.fields();
    }

    /**
     * Reads a dataset file's field names, away from the FX thread, for {@code then} (none when it
     * cannot be read: opening it says why).
     */
    public void fieldsOf(Path file, java.util.function.Consumer<List<String>> then) {
        ui.offThread(() -> LabelledData.fieldsOrNone(file), (names, e) -> then.accept(e == null ? names : List.of()));
    }

    /** Reads the dataset with "input" and "label" as the labelled fields. */
    public void openDataset(Path file) {
        openDataset(file, LabelledData.Fields.DEFAULT);
    }

    /** Reads the dataset, labelled rows from {@code fields} (and its label map): {@link DatasetState#open}. */
    public void openDataset(Path file, LabelledData.Fields fields) {
        dataset.open(file, fields);
    }

    /** Writes the open dataset's rows as the next run will train on them, with the prompt pane's format now. */
    public void refreshTrainingText() {
        dataset.refreshTrainingText();
    }

    /**
     * Starts a run on the loaded model; its events fill the chart and the progress. The run is kept
     * in a folder of its own under {@link RunFolder#root()} (its data, settings, curve and best and
     * last checkpoints), so it can be resumed later, even after the app was closed or killed.
     */
    public void start() {
        if (!startBlockedReason.get().isEmpty()) {
            return;
        }
        FineTuneSettings s = settings();
        String label = (s.isLora() ? "LoRA r" + s.lora().rank() : "full") + " · lr "
                + settings.learningRate().get().trim();
        String name = "#" + ++runCount + " " + label;
        Supplier<List<TrainingExample>> data = dataset.examplesNow();
        Path model = manager.current().orElseThrow().folder();
        // written by the job, not here: a large dataset's copy is disk work the FX thread does not wait for
        runner.launch(new FineTuneRunner.Plan(name, label, s, data,
                () -> RunFolder.create(RunFolder.root(), name, model, s, data.get()), 0, List.of()));
    }

    /** Resumes the run kept in {@code dir} from its last checkpoint: {@link FineTuneRunner#resume}. */
    public void resume(Path dir) {
        runner.resume(dir);
    }

    /**
     * Shows a finished run's curves again (the chart's current run joins the earlier ones); not while
     * a run is in progress.
     */
    public void reopen(FinishedRun run) {
        if (runner.runningProperty().get()) {
            status.set("A run is in progress: reopen " + run.name() + " when it ends.");
            return;
        }
        beginRun(run.name());
        addEvents(run.events());
        status.set("Showing " + run.name() + ": " + run.settings() + ".");
    }

    public void stop() {
        runner.stop();
    }

    /**
     * Pauses the run between two optimizer steps (the weights stay as they are, prompts still run on
     * them), or resumes it where it stopped.
     */
    public void togglePause() {
        if (!runner.runningProperty().get()) {
            return;
        }
        status.set(runner.togglePause() ? "paused — Resume goes on from this step" : "resumed");
    }

    /** Saves the weights chosen in the Weights menu: {@link FineTuneRunner#save}. */
    public void save(Path dir) {
        runner.save(dir);
    }

    /**
     * Clears the chart for a new run named {@code name}; the previous run's smoothed curve, if it has
     * one, joins the earlier runs (the last {@value #EARLIER_RUNS} are kept, oldest first).
     */
    public void beginRun(String name) {
        curves.begin(name);
    }

    /** Adds a batch of the current run's events to the chart, the progress and the status: one update per list. */
    public void addEvents(List<TrainingEvent> batch) {
        TrainingEvent.Step last = null;
        for (TrainingEvent ev : batch) {
            last = ev instanceof TrainingEvent.Step st ? st : last;
        }
        if (last != null) { // the progress and status of the batch's last step only
            progress.set((double) last.step() / last.totalSteps());
            status.set(String.format(Locale.ROOT, "step %d/%d · loss %.3f · lr %.2g · %.0f tokens/s · ETA %s",
                    last.step(), last.totalSteps(), last.trainLoss(), last.learningRate(), last.tokensPerSecond(),
                    FinishedRun.duration(last.etaMillis())));
        }
        curves.add(batch);
    }

    /** Writes the current run's steps (.csv) or the chart {@code image} draws; the status says how it went. */
    public void exportLosses(Path file, ImageWriter image) {
        curves.export(file, image);
    }

    /** An export of the losses under way. */
    public dev.scales.ui.common.JobProgress exportProgress() {
        return curves.exportProgress();
    }

    /** Recently opened datasets, newest first (the app keeps them in its settings). */
    public ObservableList<Path> recentDatasets() {
        return recent;
    }

    public void setModelLoaded(boolean loaded) {
        modelLoaded.set(loaded);
    }

    /** Whether a model is loaded (so there are weights to save). */
    public ReadOnlyBooleanProperty modelLoadedProperty() {
        return modelLoaded.getReadOnlyProperty();
    }

    /** Examples in the open dataset (0 when none). */
    public int datasetSize() {
        return dataset.size();
    }

    /** True while a dataset file is being read (away from the FX thread). */
    public ReadOnlyBooleanProperty datasetReadingProperty() {
        return dataset.readingProperty();
    }

    public ReadOnlyObjectProperty<Path> datasetProperty() {
        return dataset.fileProperty();
    }

    public ObservableList<Map<String, String>> previewRows() {
        return dataset.previewRows();
    }

    public ReadOnlyObjectProperty<List<String>> columnsProperty() {
        return dataset.columnsProperty();
    }

    public ReadOnlyStringProperty datasetSummaryProperty() {
        return dataset.summaryProperty();
    }

    public ReadOnlyStringProperty datasetErrorProperty() {
        return dataset.errorProperty();
    }

    /** The first training example as the model reads it, trained parts in ⟦ ⟧ ("" without a dataset). */
    public ReadOnlyStringProperty trainingTextProperty() {
        return dataset.trainingTextProperty();
    }

    public ObjectProperty<Method> methodProperty() {
        return settings.method();
    }

    public StringProperty learningRateProperty() {
        return settings.learningRate();
    }

    public StringProperty stepsProperty() {
        return settings.steps();
    }

    public StringProperty batchSizeProperty() {
        return settings.batchSize();
    }

    public StringProperty loraRankProperty() {
        return settings.loraRank();
    }

    public StringBinding settingsError() {
        return settings.error();
    }

    public StringBinding startBlockedReason() {
        return startBlockedReason;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return runner.runningProperty();
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return runner.pausedProperty();
    }

    public ReadOnlyBooleanProperty hasResultProperty() {
        return runner.hasResultProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The folder the last run was kept in (null before a run, or when it could not be written). */
    public ReadOnlyObjectProperty<Path> lastRunFolderProperty() {
        return runner.lastRunFolderProperty();
    }

    /** The runs of this session, newest first. */
    public ObservableList<FinishedRun> runs() {
        return runner.runs();
    }

    /** (step, training loss) points of the current run, added in batches. */
    public ObservableList<double[]> trainLoss() {
        return curves.trainLoss();
    }

    /** (step, EMA-smoothed training loss, debiased) points of the current run. */
    public ObservableList<double[]> smoothedLoss() {
        return curves.smoothedLoss();
    }

    /** (step, validation loss) points of the current run. */
    public ObservableList<double[]> validationLoss() {
        return curves.validationLoss();
    }

    /** (step, learning rate) points of the current run, one per training step. */
    public ObservableList<double[]> learningRates() {
        return curves.learningRates();
    }

    /** The current run's best checkpoint (lowest validation loss so far), or null before its first evaluation. */
    public ReadOnlyObjectProperty<Best> bestProperty() {
        return curves.bestProperty();
    }

    /** The last {@value #EARLIER_RUNS} runs' smoothed training curves, oldest first. */
    public ObservableList<Curve> earlierRuns() {
        return curves.earlierRuns();
    }

    /** The latest validation accuracy of a run on labelled data ("" until there is one). */
    public ReadOnlyStringProperty validationAccuracyProperty() {
        return curves.validationAccuracyProperty();
    }
}
