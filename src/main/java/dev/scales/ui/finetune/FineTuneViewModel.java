package dev.scales.ui.finetune;

import dev.scales.core.ScalesException;
import dev.scales.core.data.Jsonl;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.model.ModelSaver;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.FineTuneRun;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.data.LabelledData;
import dev.scales.core.train.TrainingData;
import dev.scales.core.train.TrainingEvent;
import dev.scales.core.train.TrainingExample;
import dev.scales.core.train.RunFolder;
import dev.scales.core.util.CsvFiles;
import dev.scales.ui.common.Coalescer;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.ImageWriter;
import dev.scales.ui.common.UiThread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * State of the fine-tuning pane: the dataset, the method and its settings (typed as text and
 * validated in place), the run in progress and the runs so far. Training events arrive from the
 * model worker in batches and become chart points (losses, learning rate, the best checkpoint),
 * progress and status text; the last runs' smoothed curves are kept for comparison.
 */
public final class FineTuneViewModel {
    /** How many earlier runs' curves are kept for comparison. */
    public static final int EARLIER_RUNS = 3;
    /** The chart redraws at most this often (~10 per second) however fast a run steps. */
    static final long CHART_INTERVAL_MILLIS = 100;

    /** The lowest validation loss of the current run so far and the step it was measured at. */
    public record Best(int step, double validationLoss) {}

    /**
     * A run of this session: its name ("#n method · lr"), settings, every event, how it ended, how
     * long it took and where its result was saved ("" until saved) — listed, and reopenable on the chart.
     */
    public record Run(String name, String settings, List<TrainingEvent> events, TrainingEvent.Finished finished,
                      long millis, String output) {
        public Run {
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

        Run savedTo(String where) {
            return new Run(name, settings, events, finished, millis, where);
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
    }

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

    private final ReadOnlyObjectWrapper<Path> dataset = new ReadOnlyObjectWrapper<>(this, "dataset");
    private final ObservableList<Map<String, String>> previewRows = FXCollections.observableArrayList();
    /** A read-only view kept as a field: views made per call are collected, and their listeners with them. */
    private final ObservableList<Map<String, String>> previewRowsView = FXCollections.unmodifiableObservableList(previewRows);
    private final ReadOnlyObjectWrapper<List<String>> columns = new ReadOnlyObjectWrapper<>(this, "columns", List.of());
    private final ReadOnlyStringWrapper datasetSummary = new ReadOnlyStringWrapper(this, "datasetSummary",
            "No dataset chosen.");
    private final ReadOnlyStringWrapper datasetError = new ReadOnlyStringWrapper(this, "datasetError", "");
    private final ObjectProperty<Method> method = new SimpleObjectProperty<>(this, "method", Method.LORA);
    private final StringProperty learningRate = new SimpleStringProperty(this, "learningRate", "0.004");
    private final StringProperty steps = new SimpleStringProperty(this, "steps", "100");
    private final StringProperty batchSize = new SimpleStringProperty(this, "batchSize", "8");
    private final StringProperty loraRank = new SimpleStringProperty(this, "loraRank", "8");
    private final StringProperty warmup = new SimpleStringProperty(this, "warmup", "0.1");
    private final javafx.beans.property.ObjectProperty<Boolean> cosine =
            new SimpleObjectProperty<>(this, "cosine", Boolean.TRUE);
    private final StringProperty weightDecay = new SimpleStringProperty(this, "weightDecay", "0.01");
    private final StringProperty clip = new SimpleStringProperty(this, "clip", "1.0");
    private final StringProperty accumulation = new SimpleStringProperty(this, "accumulation", "1");
    private final StringProperty logEvery = new SimpleStringProperty(this, "logEvery", "1");
    private final StringProperty seed = new SimpleStringProperty(this, "seed", "42");
    private final StringProperty evalEvery = new SimpleStringProperty(this, "evalEvery", "10");
    private final StringProperty validationShare = new SimpleStringProperty(this, "validationShare", "0.1");
    private final StringProperty patience = new SimpleStringProperty(this, "patience", "0");
    private final StringProperty loraAlpha = new SimpleStringProperty(this, "loraAlpha", "");
    private final StringProperty loraDropout = new SimpleStringProperty(this, "loraDropout", "0.05");
    private final StringProperty loraTargets = new SimpleStringProperty(this, "loraTargets", "");
    /** Each typed setting, the name its messages use, and the words that mark an error as its own. */
    private final java.util.Map<StringProperty, String[]> names = new java.util.LinkedHashMap<>();
    private final ReadOnlyBooleanWrapper modelLoaded = new ReadOnlyBooleanWrapper(this, "modelLoaded");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(this, "paused", false);
    private final javafx.beans.property.ReadOnlyStringWrapper validationAccuracy =
            new javafx.beans.property.ReadOnlyStringWrapper(this, "validationAccuracy", "");
    /** Read by the training thread between steps. */
    private final AtomicBoolean pauseFlag = new AtomicBoolean();
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final ObservableList<Run> runs = FXCollections.observableArrayList();
    private final ObservableList<Run> runsView = FXCollections.unmodifiableObservableList(runs);
    private final StringBinding settingsError;
    private final StringBinding startBlockedReason;
    private final ModelManager manager;
    private final UiThread ui;
    private final Supplier<TrainingData.Format> format;
    private final ObservableList<double[]> trainLoss = FXCollections.observableArrayList();
    private final ObservableList<double[]> trainLossView = FXCollections.unmodifiableObservableList(trainLoss);
    private final ObservableList<double[]> validationLoss = FXCollections.observableArrayList();
    private final ObservableList<double[]> smoothedLoss = FXCollections.observableArrayList();
    private final ObservableList<double[]> smoothedLossView = FXCollections.unmodifiableObservableList(smoothedLoss);
    private dev.scales.core.train.Ema ema = new dev.scales.core.train.Ema(0.9);
    private final ObservableList<double[]> validationLossView = FXCollections.unmodifiableObservableList(validationLoss);
    private final ObservableList<double[]> learningRates = FXCollections.observableArrayList();
    private final ObservableList<double[]> learningRatesView = FXCollections.unmodifiableObservableList(learningRates);
    private final ReadOnlyObjectWrapper<Best> best = new ReadOnlyObjectWrapper<>(this, "best");
    private final ObservableList<Curve> earlierRuns = FXCollections.observableArrayList();
    private final ObservableList<Curve> earlierRunsView = FXCollections.unmodifiableObservableList(earlierRuns);
    /** The current (or last) run's name, "#n method · lr": the start of its line in {@link #runs()}. */
    private String runName = "";
    /** Runs started so far: numbers runs uniquely, failed ones included. */
    private int runCount;
    private final ReadOnlyObjectWrapper<java.nio.file.Path> lastRunFolder = new ReadOnlyObjectWrapper<>(this,
            "lastRunFolder");
    private List<TrainingExample> examples = List.of();
    /** The input slots of the template labelled rows are written with (the prompt pane's). */
    public List<String> templateSlots() {
        return format.get().template().slots();
    }

    /** The open dataset's rows: a run writes them with the prompt pane's format as it is when the run starts. */
    private Jsonl.Result rows = new Jsonl.Result(List.of(), List.of());
    /** Which fields of the open dataset are the input and the label, and the label map. */
    private LabelledData.Fields fields = LabelledData.Fields.DEFAULT;
    private final ReadOnlyStringWrapper trainingText = new ReadOnlyStringWrapper(this, "trainingText", "");
    private AtomicBoolean stop = new AtomicBoolean();
    private final ReadOnlyBooleanWrapper hasResult = new ReadOnlyBooleanWrapper(this, "hasResult");
    /** The last LoRA run's adapters; set by the run's job, cleared by the variant listener (any thread). */
    private volatile LoraAdapters adapters;
    /** The model the last run changed (its adapters are on it); as {@link #adapters}. */
    private volatile LoadedModel trained;

    /**
     * @param format how labelled rows are written: the prompt pane's instruction and template, so
     *               fine-tuning trains on the prompt its zero-shot evaluation uses
     */
    public FineTuneViewModel(ModelManager manager, UiThread ui, Supplier<TrainingData.Format> format) {
        this.manager = manager;
        this.ui = ui;
        this.format = format;
        // The trained model unloaded, or the run's variant discarded: nothing is left to save.
        manager.addVariantListener(v -> {
            boolean gone = trained != null && (manager.models().stream().noneMatch(e -> e.model() == trained)
                    || adapters != null && v.all().stream().noneMatch(x -> x.adapters() == adapters));
            if (gone) {
                adapters = null;
                trained = null;
                ui.run(() -> hasResult.set(false));
            }
        });
        name(learningRate, "learning rate", "--lr");
        name(steps, "steps", "--max-steps");
        name(batchSize, "batch", "--batch");
        name(loraRank, "LoRA rank", "LoRA rank");
        name(warmup, "warm-up", "warm-up");
        name(weightDecay, "weight decay", "weight decay");
        name(clip, "gradient clipping", "gradient clipping");
        name(accumulation, "accumulation", "--accumulate");
        name(logEvery, "report every", "--log-every");
        name(seed, "seed", "seed");
        name(evalEvery, "evaluate every", "evaluation interval");
        name(validationShare, "validation share", "validation share");
        name(patience, "patience", "--patience");
        name(loraAlpha, "LoRA alpha", "LoRA alpha");
        name(loraDropout, "LoRA dropout", "LoRA dropout");
        name(loraTargets, "LoRA targets", "target module");
        List<javafx.beans.Observable> typed = new ArrayList<>(names.keySet());
        typed.add(method);
        typed.add(cosine);
        settingsError = Bindings.createStringBinding(() -> {
            try {
                settings();
                return "";
            } catch (ScalesException e) {
                return e.getMessage();
            }
        }, typed.toArray(javafx.beans.Observable[]::new));
        startBlockedReason = Bindings.createStringBinding(() -> {
            if (!modelLoaded.get()) {
                return "Load a model to fine-tune it.";
            }
            if (dataset.get() == null || examples.isEmpty()) {
                return "Choose a labelled dataset (JSONL or CSV).";
            }
            if (running.get()) {
                return "A run is in progress.";
            }
            return settingsError.get();
        }, modelLoaded, dataset, previewRows, running, settingsError);
    }

    /** The settings as typed; throws naming the first bad value. */
    public FineTuneSettings settings() {
        LoraConfig lora = null;
        if (method.get() == Method.LORA) {
            int rank = integer(loraRank);
            List<String> targets = loraTargets.get().isBlank() ? targets()
                    : java.util.Arrays.stream(loraTargets.get().split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
            lora = new LoraConfig(rank, loraAlpha.get().isBlank() ? rank : (float) number(loraAlpha),
                    (float) number(loraDropout), targets);
        }
        return new FineTuneSettings(lora, (float) number(learningRate), 1, integer(steps), integer(batchSize),
                (float) number(warmup), Boolean.TRUE.equals(cosine.get()), (float) number(weightDecay),
                (float) number(clip), integer(seed), integer(evalEvery), number(validationShare), integer(patience),
                integer(accumulation), integer(logEvery));
    }

    private void name(StringProperty p, String name, String errorWords) {
        names.put(p, new String[] {name, errorWords});
    }

    private double number(StringProperty p) {
        try {
            return Double.parseDouble(p.get().trim());
        } catch (NumberFormatException e) {
            throw new ScalesException(names.get(p)[0] + " must be a number, got \"" + p.get().trim() + "\"");
        }
    }

    private int integer(StringProperty p) {
        try {
            return Integer.parseInt(p.get().trim());
        } catch (NumberFormatException e) {
            throw new ScalesException(names.get(p)[0] + " must be a whole number, got \"" + p.get().trim() + "\"");
        }
    }

    /** What is wrong with the setting typed into {@code p} ("" when nothing): flagged beside its field. */
    public StringBinding errorOf(StringProperty p) {
        String[] n = names.get(p);
        return Bindings.createStringBinding(() -> {
            String e = settingsError.get();
            return !e.isEmpty() && (e.startsWith(n[0] + " must") || e.contains(n[1])) ? e : "";
        }, settingsError);
    }

    /**
     * The settings beyond the four on the pane's first row, as PropertySheet rows (schedule,
     * regularisation, evaluation, LoRA), each flagged in place when its value is wrong.
     */
    public List<org.controlsfx.control.PropertySheet.Item> moreSettings() {
        String run = "Schedule and regularisation";
        String eval = "Validation";
        String adapters = "LoRA";
        return List.of(
                text(run, warmup, "Share of the steps the learning rate warms up over, from 0"),
                new dev.scales.ui.common.PropertyItem<>(Boolean.class, run, "cosine decay",
                        "After warm-up the learning rate follows a cosine down to 0 (off: it stays constant)", cosine),
                text(run, weightDecay, "AdamW's decoupled weight decay (not on biases and norms)"),
                text(run, clip, "Largest gradient norm; larger gradients are scaled down (0: off)"),
                text(run, accumulation, "Micro-batches summed per optimizer step (a larger batch in the same memory)"),
                text(run, seed, "Same seed, same split, order and curve"),
                text(run, logEvery, "Steps per point of the training-loss curve (their mean): the loss stays on the "
                        + "GPU in between, which spares a synchronisation per step"),
                text(eval, validationShare, "Share of the dataset held out for validation loss and accuracy"),
                text(eval, evalEvery, "Steps between evaluations on the validation set"),
                text(eval, patience, "Stop after this many evaluations without a better validation loss (0: off)"),
                text(adapters, loraAlpha, "The adapters' update is scaled by alpha / rank (empty: alpha = rank, PEFT's default)"),
                text(adapters, loraDropout, "Dropout on the adapters' input while training"),
                text(adapters, loraTargets, "Comma-separated module names (empty: every linear layer of a block)"));
    }

    private dev.scales.ui.common.PropertyItem<String> text(String category, StringProperty p, String description) {
        return new dev.scales.ui.common.PropertyItem<>(String.class, category, names.get(p)[0], description, p, errorOf(p));
    }

    private List<String> targets() {
        return manager.current().map(m -> LoraConfig.defaultTargets(m.config().architecture())).orElse(List.of("q_proj"));
    }

    /** Which fields of the open dataset are the input and the label, and its label map. */
    public LabelledData.Fields fields() {
        return fields;
    }

    /** The field names of a dataset file (empty when it cannot be read: opening it says why). */
    public List<String> fieldsOf(Path file) {
        try {
            return LabelledData.fields(file);
        } catch (ScalesException e) {
            return List.of();
        }
    }

    /** Reads the dataset with "input" and "label" as the labelled fields. */
    public void openDataset(Path file) {
        openDataset(file, LabelledData.Fields.DEFAULT);
    }

    /**
     * Reads the dataset, labelled rows from {@code fields} (and its label map); malformed lines are
     * counted and the first is named. A file that cannot be read is named and the dataset already
     * open stays.
     */
    public void openDataset(Path file, LabelledData.Fields fields) {
        dev.scales.core.data.Records.Table table;
        try {
            table = dev.scales.core.data.Records.read(file); // JSONL or CSV
        } catch (ScalesException e) {
            datasetError.set(e.getMessage() + (dataset.get() == null ? "" : " — still using "
                    + dataset.get().getFileName()));
            return;
        }
        this.rows = new Jsonl.Result(table.rows(), table.problems());
        this.fields = fields;
        dataset.set(file);
        previewRows.setAll(table.rows().stream().map(Jsonl.Row::fields).toList());
        columns.set(table.fields());
        refreshTrainingText();
    }

    /**
     * Writes the open dataset's rows as the next run will train on them — with the prompt pane's
     * instruction, template and format as they are now — and shows the first in the preview.
     */
    public void refreshTrainingText() {
        Path file = dataset.get();
        if (file == null) {
            return;
        }
        TrainingData.Result data;
        try {
            data = TrainingData.of(file, rows, format.get().withFields(fields));
        } catch (ScalesException e) {
            examples = List.of();
            trainingText.set("");
            datasetError.set(e.getMessage());
            return;
        }
        examples = data.examples();
        datasetSummary.set(file.getFileName() + " · " + examples.size() + " examples"
                + (columns.get().isEmpty() ? "" : " · fields " + String.join(", ", columns.get()))
                + (fields.labelNames().isEmpty() ? "" : " · labels " + fields.labelNamesText()));
        datasetError.set(data.problems().isEmpty() ? ""
                : data.problems().size() + " line(s) not used; first: " + data.problems().get(0));
        trainingText.set(examples.isEmpty() ? "" : marked(examples.get(0)));
    }

    /** An example's text with its trained parts in ⟦ ⟧: what the model reads, and where the loss counts. */
    static String marked(TrainingExample e) {
        StringBuilder sb = new StringBuilder();
        for (TrainingExample.Segment s : e.segments()) {
            sb.append(s.trained() ? "⟦" + s.text() + "⟧" : s.text());
        }
        return sb.toString();
    }

    /** The first training example as the model reads it, trained parts in ⟦ ⟧ ("" without a dataset). */
    public ReadOnlyStringProperty trainingTextProperty() {
        return trainingText.getReadOnlyProperty();
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
        String label = (s.isLora() ? "LoRA r" + s.lora().rank() : "full") + " · lr " + learningRate.get().trim();
        String name = "#" + ++runCount + " " + label;
        // The rows as the prompt pane writes them now: editing its template after opening the data counts.
        List<TrainingExample> data = TrainingData.of(dataset.get(), rows, format.get().withFields(fields)).examples();
        Path model = manager.current().orElseThrow().folder();
        // written by the job, not here: a large dataset's copy is disk work the FX thread does not wait for
        launch(name, label, s, data, () -> RunFolder.create(RunFolder.root(), name, model, s, data), 0, List.of());
    }

    /**
     * Resumes the run kept in {@code dir} from its last checkpoint, on the model it trained (which
     * must be the loaded one): the curve so far comes back on the chart and goes on from that step,
     * with the same data, settings, optimizer state and order of batches.
     */
    public void resume(java.nio.file.Path dir) {
        if (running.get()) {
            status.set("A run is in progress: resume another one when it ends.");
            return;
        }
        RunFolder folder;
        int step;
        try {
            folder = RunFolder.open(dir);
            step = folder.resumableStep();
        } catch (ScalesException e) {
            status.set(e.getMessage());
            return;
        }
        java.nio.file.Path loaded = manager.current().map(m -> m.folder().toAbsolutePath().normalize()).orElse(null);
        if (!folder.model().toAbsolutePath().normalize().equals(loaded)) {
            status.set(folder.name() + " trained " + folder.model() + ": load that model to resume it.");
            return;
        }
        if (step == 0) {
            status.set(folder.name() + " has no checkpoint yet (the first is written at step "
                    + folder.settings().evalEvery() + "): start it again instead.");
            return;
        }
        FineTuneSettings s = folder.settings();
        String label = (s.isLora() ? "LoRA r" + s.lora().rank() : "full") + " · lr " + s.learningRate();
        launch(folder.name(), label, s, folder.data(), () -> folder, step, folder.curveUpTo(step));
    }

    /**
     * Runs {@code data} with {@code s} on the worker, from {@code resumeStep}'s checkpoint when above 0,
     * kept in the folder {@code folderOf} gives (on the worker; a run it cannot give goes on without).
     */
    private void launch(String name, String label, FineTuneSettings s, List<TrainingExample> data,
                        Supplier<RunFolder> folderOf, int resumeStep, List<TrainingEvent> earlier) {
        AtomicBoolean stopFlag = new AtomicBoolean();
        stop = stopFlag;
        pauseFlag.set(false);
        paused.set(false);
        running.set(true);
        progress.set(0);
        status.set(resumeStep > 0 ? "resuming from step " + resumeStep + "…" : "starting…");
        beginRun(name);
        addEvents(earlier);
        Coalescer<TrainingEvent> events = new Coalescer<>(ui, CHART_INTERVAL_MILLIS, this::addEvents);
        List<TrainingEvent> all = java.util.Collections.synchronizedList(new ArrayList<>(earlier));
        long started = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<RunFolder> kept = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> unkept = new java.util.concurrent.atomic.AtomicReference<>("");
        manager.submit("fine-tune " + label, dev.scales.core.device.Job.Priority.TRAINING, (model, ctx) -> {
            RunFolder folder = null;
            try {
                folder = folderOf.get();
                kept.set(folder);
            } catch (ScalesException e) {
                unkept.set(" (no checkpoints: " + e.getMessage() + ")");
            }
            java.nio.file.Path resume = resumeStep > 0 && folder != null ? folder.checkpoints().last() : null;
            RunFolder curve = folder;
            // Every run starts from the base weights: the active LoRA variant comes off (it stays a variant).
            manager.useBase();
            if (resume != null && !s.isLora()) {
                dev.scales.core.model.ModelLoader.readWeightsInto(model, resume);
            }
            FineTuneRun.Outcome out = FineTuneRun.run(model, data, s, ev -> {
                        all.add(ev);
                        events.add(ev);
                        if (curve != null) {
                            try {
                                curve.append(ev);
                            } catch (ScalesException notKept) {
                                // the run goes on; only a resume would miss this point of the curve
                            }
                        }
                    }, FineTuneRun.Control
                    .stopWhen(() -> stopFlag.get() || ctx.isCancelled()).pausedWhen(pauseFlag::get)
                    .betweenSteps(ctx::yieldToUrgent)
                    .checkpoints(curve == null ? null : curve.checkpoints()).resumeFrom(resume));
            adapters = out.adapters();
            trained = model;
            if (out.finished().steps() == 0 || out.finished().outcome() == TrainingEvent.Outcome.FAILED) {
                // nothing changed (a failed run is undone): nothing to keep or save
                if (adapters != null) {
                    adapters.close();
                    adapters = null;
                }
                trained = null;
            } else if (adapters != null) {
                manager.addVariant(name + " · " + out.finished().steps() + " steps", adapters);
            } else {
                manager.baseChanged("fine-tuned weights (" + name + " · " + out.finished().steps() + " steps)");
            }
            return out.finished();
        }).future().whenComplete((finished, e) -> ui.run(() -> {
            events.flush();
            pauseFlag.set(false);
            paused.set(false);
            if (e != null) {
                status.set(Errors.message(e));
                running.set(false);
                return;
            }
            runs.add(0, new Run(name, describe(s, data.size()), all, finished, (System.nanoTime() - started) / 1_000_000,
                    ""));
            hasResult.set(finished.steps() > 0);
            RunFolder folder = kept.get();
            lastRunFolder.set(folder == null ? null : folder.dir());
            String where = folder == null ? unkept.get() : " Kept in " + folder.dir() + ".";
            status.set((finished.outcome() == TrainingEvent.Outcome.FAILED ? finished.message()
                    : s.isLora() ? "Prompts now run on this run's LoRA adapters (switch back to the base weights in the "
                            + "model bar); Save writes them in PEFT's layout."
                    : "The loaded model now has the fine-tuned weights; Save writes the model, reload it for the base.")
                    + where);
            running.set(false); // last: whoever waits for the end finds the run listed and its status
        }));
    }

    private static String describe(FineTuneSettings s, int examples) {
        return String.format(Locale.ROOT, "%s · lr %s · %d steps · batch %d%s · %d examples (%.0f%% for validation) · seed %d",
                s.isLora() ? "LoRA r" + s.lora().rank() + " (alpha " + s.lora().alpha() + ") on "
                        + String.join(", ", s.lora().targets()) : "full", s.learningRate(), s.maxSteps(), s.batchSize(),
                s.accumulation() > 1 ? " × " + s.accumulation() : "", examples, 100 * s.validationFraction(), s.seed());
    }

    /**
     * Shows a finished run's curves again (the chart's current run joins the earlier ones); not while
     * a run is in progress.
     */
    public void reopen(Run run) {
        if (running.get()) {
            status.set("A run is in progress: reopen " + run.name() + " when it ends.");
            return;
        }
        beginRun(run.name());
        addEvents(run.events());
        status.set("Showing " + run.name() + ": " + run.settings() + ".");
    }

    public void stop() {
        stop.set(true);
        pauseFlag.set(false);
        paused.set(false);
    }

    /**
     * Pauses the run between two optimizer steps (the weights stay as they are, prompts still run on
     * them), or resumes it where it stopped.
     */
    public void togglePause() {
        if (!running.get()) {
            return;
        }
        boolean now = !pauseFlag.get();
        pauseFlag.set(now);
        paused.set(now);
        status.set(now ? "paused — Resume goes on from this step" : "resumed");
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    /** The latest validation accuracy of a run on labelled data ("" until there is one). */
    public ReadOnlyStringProperty validationAccuracyProperty() {
        return validationAccuracy.getReadOnlyProperty();
    }

    /**
     * Saves the weights chosen in the Weights menu: a LoRA variant as its adapter (PEFT layout), the
     * base (as loaded, or as a full fine-tune left it) as a whole model (HF layout).
     */
    public void save(Path dir) {
        ModelManager.Variant v = manager.variants().active();
        if (v == null) {
            status.set("Load a model first.");
            return;
        }
        status.set("saving " + v + " to " + dir + "…");
        manager.submit("save " + dir.getFileName(), dev.scales.core.device.Job.Priority.EVALUATION, (model, ctx) -> {
            if (!v.isBase()) {
                v.adapters().save(dir, model);
                return "LoRA adapter " + v.name();
            }
            ModelSaver.save(model, dir);
            return "model " + v;
        }).future().whenComplete((what, e) -> ui.run(() -> {
            status.set(e != null ? Errors.message(e) : "saved the " + what + " to " + dir);
            if (e == null && !runs.isEmpty()) {
                runs.set(0, runs.get(0).savedTo(dir.toString()));
            }
        }));
    }

    public ReadOnlyBooleanProperty hasResultProperty() {
        return hasResult.getReadOnlyProperty();
    }

    /**
     * Clears the chart for a new run named {@code name}; the previous run's smoothed curve, if it has
     * one, joins the earlier runs (the last {@value #EARLIER_RUNS} are kept, oldest first).
     */
    public void beginRun(String name) {
        if (!smoothedLoss.isEmpty()) {
            List<Curve> kept = new ArrayList<>(earlierRuns);
            kept.add(new Curve(runName, List.copyOf(smoothedLoss)));
            earlierRuns.setAll(kept.subList(Math.max(0, kept.size() - EARLIER_RUNS), kept.size()));
        }
        runName = name;
        validationAccuracy.set("");
        trainLoss.clear();
        smoothedLoss.clear();
        validationLoss.clear();
        learningRates.clear();
        best.set(null);
        ema = new dev.scales.core.train.Ema(0.9);
    }

    /** Adds a batch of the current run's events to the chart, the progress and the status: one update per list. */
    public void addEvents(List<TrainingEvent> batch) {
        List<double[]> train = new ArrayList<>();
        List<double[]> smooth = new ArrayList<>();
        List<double[]> val = new ArrayList<>();
        List<double[]> rates = new ArrayList<>();
        Best lowest = best.get();
        TrainingEvent.Step last = null;
        for (TrainingEvent ev : batch) {
            if (ev instanceof TrainingEvent.Step st) {
                double loss = decimal(st.trainLoss());
                train.add(new double[] {st.step(), loss});
                smooth.add(new double[] {st.step(), ema.add(loss)});
                rates.add(new double[] {st.step(), decimal(st.learningRate())});
                last = st;
            } else if (ev instanceof TrainingEvent.Evaluation v) {
                val.add(new double[] {v.step(), v.validationLoss()});
                if (!Double.isNaN(v.validationAccuracy())) {
                    validationAccuracy.set(String.format(Locale.ROOT, "validation accuracy %.1f%% at step %d",
                            100 * v.validationAccuracy(), v.step()));
                }
                if (lowest == null || v.validationLoss() < lowest.validationLoss()) {
                    lowest = new Best(v.step(), v.validationLoss());
                }
            }
        }
        if (last != null) { // the progress and status of the batch's last step only
            progress.set((double) last.step() / last.totalSteps());
            status.set(String.format(Locale.ROOT, "step %d/%d · loss %.3f · lr %.2g · %.0f tokens/s · ETA %s",
                    last.step(), last.totalSteps(), last.trainLoss(), last.learningRate(), last.tokensPerSecond(),
                    duration(last.etaMillis())));
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
    public void exportLosses(Path file, ImageWriter image) {
        dev.scales.ui.common.UiThread.FileWork work;
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
                List<List<Object>> rows = lossRows(); // read here, written on the file thread
                work = () -> CsvFiles.write(file, List.of("step", "train_loss", "smoothed_loss", "validation_loss",
                        "learning_rate"), rows);
            } else {
                work = image.draw(file);
            }
        } catch (IOException | RuntimeException e) {
            status.set("could not save the losses to " + file + ": " + Errors.message(e));
            return;
        }
        status.set("saving the losses to " + file.getFileName() + "…");
        ui.writeFile(work, e -> status.set(e == null ? "saved the losses to " + file.getFileName()
                : "could not save the losses to " + file + ": " + Errors.message(e)));
    }

    /** One row per step: step, train loss, smoothed loss, validation loss (blank where none), learning rate. */
    private List<List<Object>> lossRows() {
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

    static String duration(long millis) {
        long s = millis / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
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

    // Properties

    /** Examples in the open dataset (0 when none). */
    public int datasetSize() {
        return examples.size();
    }

    public ReadOnlyObjectProperty<Path> datasetProperty() {
        return dataset.getReadOnlyProperty();
    }

    public ObservableList<Map<String, String>> previewRows() {
        return previewRowsView;
    }

    public ReadOnlyObjectProperty<List<String>> columnsProperty() {
        return columns.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty datasetSummaryProperty() {
        return datasetSummary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty datasetErrorProperty() {
        return datasetError.getReadOnlyProperty();
    }

    public ObjectProperty<Method> methodProperty() {
        return method;
    }

    public StringProperty learningRateProperty() {
        return learningRate;
    }

    public StringProperty stepsProperty() {
        return steps;
    }

    public StringProperty batchSizeProperty() {
        return batchSize;
    }

    public StringProperty loraRankProperty() {
        return loraRank;
    }

    public StringBinding settingsError() {
        return settingsError;
    }

    public StringBinding startBlockedReason() {
        return startBlockedReason;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The runs of this session, newest first. */
    /** The folder the last run was kept in (null before a run, or when it could not be written). */
    public ReadOnlyObjectProperty<java.nio.file.Path> lastRunFolderProperty() {
        return lastRunFolder.getReadOnlyProperty();
    }

    public ObservableList<Run> runs() {
        return runsView;
    }

    /** (step, training loss) points of the current run, added in batches. */
    public ObservableList<double[]> trainLoss() {
        return trainLossView;
    }

    /** (step, EMA-smoothed training loss, debiased) points of the current run. */
    public ObservableList<double[]> smoothedLoss() {
        return smoothedLossView;
    }

    /** (step, validation loss) points of the current run. */
    public ObservableList<double[]> validationLoss() {
        return validationLossView;
    }

    /** (step, learning rate) points of the current run, one per training step. */
    public ObservableList<double[]> learningRates() {
        return learningRatesView;
    }

    /** The current run's best checkpoint (lowest validation loss so far), or null before its first evaluation. */
    public ReadOnlyObjectProperty<Best> bestProperty() {
        return best.getReadOnlyProperty();
    }

    /** The last {@value #EARLIER_RUNS} runs' smoothed training curves, oldest first. */
    public ObservableList<Curve> earlierRuns() {
        return earlierRunsView;
    }

}
