package dev.scales.ui.prompt;

import dev.scales.core.ScalesException;
import dev.scales.core.data.LabelledData;
import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.eval.FreeTextEvaluator;
import dev.scales.core.eval.Metrics;
import dev.scales.core.eval.ShotSweep;
import dev.scales.core.prompt.Demonstrations;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.GenerationResult;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import dev.scales.ui.common.Coalescer;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.ImageWriter;
import dev.scales.ui.common.UiThread;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptTemplate;
import java.util.List;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * State of the prompt pane: the few-shot prompt being edited and its rendered preview. The
 * preview is recomputed from the core {@link FewShotPrompt} whenever any part changes.
 */
public final class PromptViewModel {
    private final StringProperty instruction = new SimpleStringProperty(this, "instruction", "");
    private final StringProperty template = new SimpleStringProperty(this, "template", "");
    private final StringProperty query = new SimpleStringProperty(this, "query", "");
    private final ObservableList<ExampleRow> examples = FXCollections.observableArrayList(
            row -> new Observable[] {row.inputProperty(), row.outputProperty(), row.enabledProperty()});
    private final ReadOnlyStringWrapper preview = new ReadOnlyStringWrapper(this, "preview", "");
    private final ReadOnlyStringWrapper previewInfo = new ReadOnlyStringWrapper(this, "previewInfo", "");
    private final ReadOnlyStringWrapper templateError = new ReadOnlyStringWrapper(this, "templateError", "");
    private final ReadOnlyObjectWrapper<FewShotPrompt> prompt = new ReadOnlyObjectWrapper<>(this, "prompt");
    private final ReadOnlyStringWrapper runBlockedReason = new ReadOnlyStringWrapper(this, "runBlockedReason",
            NO_MODEL);
    private final ReadOnlyBooleanWrapper overContext = new ReadOnlyBooleanWrapper(this, "overContext");
    private final ObservableList<GeneratedToken> outputTokens = FXCollections.observableArrayList();
    /** A read-only view kept as a field: views made per call are collected, and their listeners with them. */
    private final ObservableList<GeneratedToken> outputTokensView = FXCollections.unmodifiableObservableList(outputTokens);
    private final ReadOnlyStringWrapper outputText = new ReadOnlyStringWrapper(this, "outputText", "");
    private final ReadOnlyStringWrapper runStatus = new ReadOnlyStringWrapper(this, "runStatus", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyStringWrapper evaluationStatus = new ReadOnlyStringWrapper(this, "evaluationStatus", "");
    private final javafx.beans.property.ReadOnlyDoubleWrapper evaluationProgress =
            new javafx.beans.property.ReadOnlyDoubleWrapper(this, "evaluationProgress", 0);
    private final ReadOnlyObjectWrapper<Metrics> metrics = new ReadOnlyObjectWrapper<>(this, "metrics");
    private final ObservableList<String> evaluationLabels = FXCollections.observableArrayList();
    private final ObservableList<String> evaluationLabelsView = FXCollections.unmodifiableObservableList(evaluationLabels);
    private final ObservableList<FewShotEvaluator.Prediction> predictions = FXCollections.observableArrayList();
    private final ObservableList<FewShotEvaluator.Prediction> predictionsView =
            FXCollections.unmodifiableObservableList(predictions);
    private final ObservableList<ShotSweep.Point> sweepPoints = FXCollections.observableArrayList();
    /** The weights the last run (its label probabilities) and the last sweep ran on, as the model bar names them. */
    private final ReadOnlyStringWrapper runWeights = new ReadOnlyStringWrapper(this, "runWeights", "");
    private final ReadOnlyStringWrapper sweepWeights = new ReadOnlyStringWrapper(this, "sweepWeights", "");
    private final ReadOnlyObjectWrapper<java.nio.file.Path> lastTestSet = new ReadOnlyObjectWrapper<>(this, "lastTestSet");
    private LabelledData.Fields lastTestFields = LabelledData.Fields.DEFAULT;
    private final javafx.collections.ObservableSet<ShotSweep.Variant> sweepVariants =
            FXCollections.observableSet(new java.util.TreeSet<>(List.of(ShotSweep.Variant.values())));
    private final ObservableList<ShotSweep.Point> sweepPointsView = FXCollections.unmodifiableObservableList(sweepPoints);
    private volatile Job<?> evaluation;
    private final javafx.beans.property.ObjectProperty<Integer> maxTokens = new javafx.beans.property.SimpleObjectProperty<>(48);
    private final javafx.beans.property.ObjectProperty<Double> temperature = new javafx.beans.property.SimpleObjectProperty<>(0.0);
    private final javafx.beans.property.ObjectProperty<Integer> topK = new javafx.beans.property.SimpleObjectProperty<>(0);
    private final javafx.beans.property.ObjectProperty<Double> topP = new javafx.beans.property.SimpleObjectProperty<>(1.0);
    private final javafx.beans.property.ObjectProperty<Double> repetitionPenalty =
            new javafx.beans.property.SimpleObjectProperty<>(1.0);
    private final javafx.beans.property.ObjectProperty<Integer> seed = new javafx.beans.property.SimpleObjectProperty<>(0);
    private final javafx.beans.property.ObjectProperty<String> stopSequence =
            new javafx.beans.property.SimpleObjectProperty<>("(end of the answer)");
    private final ReadOnlyObjectWrapper<FewShotEvaluator.LabelProbabilities> labelProbabilities =
            new ReadOnlyObjectWrapper<>(this, "labelProbabilities");
    private final ReadOnlyStringWrapper samplingError = new ReadOnlyStringWrapper(this, "samplingError", "");
    private final javafx.beans.property.BooleanProperty chatFormat =
            new javafx.beans.property.SimpleBooleanProperty(this, "chatFormat", false);
    private final ReadOnlyBooleanWrapper chatAvailable = new ReadOnlyBooleanWrapper(this, "chatAvailable");
    /** The sampling defaults last taken from a model: replaced by the next model's unless the user changed them. */
    private GenerationSettings samplingDefaults = GenerationSettings.greedy(48);
    private final ModelManager manager;
    private final UiThread ui;
    private LoadedModel model;
    private AtomicBoolean cancel = new AtomicBoolean();

    static final String NO_MODEL = "Load a model to run this prompt.";

    public PromptViewModel(ModelManager manager, UiThread ui) {
        this.manager = manager;
        this.ui = ui;
        for (Observable o : List.of(instruction, template, query, examples, chatFormat)) {
            o.addListener(ignored -> rerender());
        }
        manager.addListener(m -> ui.run(() -> setModel(m.orElse(null))));
        setPrompt(starterPrompt());
    }

    /** The model prompts run on (null: none); the token count and the run gate follow it. */
    void setModel(LoadedModel m) {
        this.model = m;
        chatAvailable.set(m != null && m.chat().isPresent());
        if (m != null) {
            takeSamplingDefaults(GenerationSettings.of(m.generationDefaults(), samplingDefaults.maxNewTokens()));
        }
        rerender();
    }

    /** The model's generation_config.json values become the settings, unless the user changed the last ones. */
    private void takeSamplingDefaults(GenerationSettings d) {
        GenerationSettings old = samplingDefaults;
        if (java.util.Objects.equals(temperature.get(), old.temperature()) && java.util.Objects.equals(topK.get(), old.topK())
                && java.util.Objects.equals(topP.get(), old.topP())
                && java.util.Objects.equals(repetitionPenalty.get(), old.repetitionPenalty())) {
            temperature.set(d.temperature());
            topK.set(d.topK());
            topP.set(d.topP());
            repetitionPenalty.set(d.repetitionPenalty());
        }
        samplingDefaults = d;
    }

    /** Whether prompts are written as a conversation by the model's chat template (when it has one). */
    public javafx.beans.property.BooleanProperty chatFormatProperty() {
        return chatFormat;
    }

    /** Whether the loaded model has a chat template, so the chat format can be chosen. */
    public ReadOnlyBooleanProperty chatAvailableProperty() {
        return chatAvailable.getReadOnlyProperty();
    }

    /**
     * A small sentiment prompt so a first-time user sees what a few-shot prompt looks like, in the
     * words of the bundled model's world (it knows no others) and in sample-data/sentiment's format.
     */
    static FewShotPrompt starterPrompt() {
        return new FewShotPrompt("Answer with positive or negative.",
                List.of(new Example("Honestly, the soup felt delicious.", "positive"),
                        new Example("My friends hated the noisy hotel.", "negative"),
                        new Example("Such a lovely concert, truly superb.", "positive")),
                "The room seemed dirty, and I regretted it.",
                new PromptTemplate("Review: {input}\nSentiment: {output}\n\n"));
    }

    /** Replaces the whole prompt (e.g. when a prompt set is opened). */
    public void setPrompt(FewShotPrompt p) {
        instruction.set(p.instruction());
        template.set(p.template().pattern());
        query.set(p.query());
        examples.setAll(p.examples().stream().map(ExampleRow::new).toList());
        rerender();
    }

    private void rerender() {
        try {
            FewShotPrompt p = new FewShotPrompt(instruction.get(),
                    examples.stream().map(ExampleRow::toExample).toList(), query.get(),
                    new PromptTemplate(template.get()),
                    chatFormat.get() && model != null ? model.chat().orElse(null) : null);
            templateError.set("");
            prompt.set(p);
            String text = p.render();
            preview.set(text);
            String shown = p.enabledExamples().size() + " of " + p.examples().size() + " examples shown";
            if (model == null) {
                overContext.set(false);
                previewInfo.set(text.length() + " characters · " + shown + " · load a model to count tokens");
                runBlockedReason.set(NO_MODEL);
            } else {
                int tokens = model.tokenizer().encode(text, true).length;
                int context = model.contextLength();
                overContext.set(tokens >= context);
                previewInfo.set(tokens + " / " + context + " tokens · " + shown);
                runBlockedReason.set(tokens >= context ? "The prompt is " + tokens + " tokens; " + model.name()
                        + " reads at most " + context + ". Switch off or shorten examples." : "");
            }
        } catch (dev.scales.core.chat.ChatTemplate.Refusal e) {
            templateError.set(e.getMessage());
            prompt.set(null);
            preview.set("");
            previewInfo.set("The model's chat template refuses this prompt; change it or switch off Chat format.");
            runBlockedReason.set(e.getMessage());
        } catch (ScalesException e) {
            templateError.set(e.getMessage());
            prompt.set(null);
            preview.set("");
            previewInfo.set("The template needs fixing before the prompt can be shown.");
            runBlockedReason.set("Fix the template to run the prompt.");
        }
    }

    /** Generates a continuation of the prompt, streaming tokens into the output. */
    public void run() {
        FewShotPrompt p = prompt.get();
        if (p == null || !runBlockedReason.get().isEmpty() || running.get()) {
            return;
        }
        GenerationSettings settings;
        try {
            settings = samplingSettings(p);
            samplingError.set("");
        } catch (ScalesException e) {
            samplingError.set(e.getMessage());
            runStatus.set(e.getMessage());
            return;
        }
        outputTokens.clear();
        outputText.set("");
        runStatus.set("running…");
        running.set(true);
        AtomicBoolean cancelled = new AtomicBoolean();
        cancel = cancelled;
        Coalescer<GeneratedToken> stream = new Coalescer<>(ui, batch -> {
            outputTokens.addAll(batch);
            batch.forEach(t -> outputText.set(outputText.get() + t.text()));
        });
        String text = p.render();
        List<String> outputs = p.enabledExamples().stream().map(dev.scales.core.prompt.Example::output).distinct()
                .filter(o -> !o.isBlank()).toList();
        labelProbabilities.set(null);
        java.util.concurrent.atomic.AtomicReference<String> weights = new java.util.concurrent.atomic.AtomicReference<>();
        manager.submit("generate", Job.Priority.INTERACTIVE, (m, ctx) -> {
            weights.set(ctx.weights());
            GenerationResult g = Generator.generate(m, text, settings, stream::add, cancelled::get);
            if (outputs.size() >= 2 && !cancelled.get()) {
                // A classification prompt: also score each label the demonstrations use.
                var lp = FewShotEvaluator.labelProbabilities(m, p, LabelSet.of(outputs.toArray(String[]::new)));
                ui.run(() -> {
                    runWeights.set(weights.get());
                    labelProbabilities.set(lp);
                });
            }
            return g;
        }).future().whenComplete((r, e) -> ui.run(() -> {
                    if (e != null) {
                        runStatus.set(Errors.message(e));
                    } else {
                        outputText.set(r.text());
                        runStatus.set(String.format(java.util.Locale.ROOT, "%d tokens · %.1f tokens/s · %s%s",
                                r.tokens().size(), r.decodeTokensPerSecond(), describe(r.stop()), on(weights)));
                    }
                    running.set(false); // last: whoever waits for the end finds the answer and its status there
                }));
    }

    /**
     * The sampling settings as set in the pane; the default stop is the end of an answer (the
     * template's text after {output}, or a newline).
     */
    GenerationSettings samplingSettings(FewShotPrompt p) {
        String stop = stopSequence.get() == null ? "" : stopSequence.get();
        List<String> stops;
        if (stop.equals("(end of the answer)") && p == null) {
            stops = List.of();
        } else if (stop.equals("(end of the answer)")) {
            String terminator = p.answerTerminator();
            stops = terminator.isBlank() ? (terminator.isEmpty() ? List.of() : List.of("\n"))
                    : List.of(p.isChat() ? terminator.strip() : terminator);
        } else {
            stops = stop.isEmpty() ? List.of() : List.of(stop.replace("\\n", "\n"));
        }
        return new GenerationSettings(value(maxTokens, 48), value(temperature, 0.0), value(topK, 0), value(topP, 1.0),
                value(repetitionPenalty, 1.0), value(seed, 0), stops, true);
    }

    /** The sampling settings the next run uses (with the current prompt's stop). */
    public GenerationSettings samplingSettings() {
        return samplingSettings(prompt.get());
    }

    private static <T> T value(javafx.beans.property.ObjectProperty<T> p, T fallback) {
        return p.get() == null ? fallback : p.get();
    }

    /** Rows of the sampling settings sheet. */
    public List<org.controlsfx.control.PropertySheet.Item> samplingItems() {
        String c = "Sampling";
        return List.of(
                new dev.scales.ui.common.PropertyItem<>(Integer.class, c, "Max tokens", "At most this many new tokens",
                        maxTokens),
                new dev.scales.ui.common.PropertyItem<>(Double.class, c, "Temperature", "0 is greedy; higher samples "
                        + "more freely", temperature),
                new dev.scales.ui.common.PropertyItem<>(Integer.class, c, "Top-k", "Sample among the k most likely "
                        + "tokens (0: all)", topK),
                new dev.scales.ui.common.PropertyItem<>(Double.class, c, "Top-p", "Sample within this probability mass "
                        + "(1: all)", topP),
                new dev.scales.ui.common.PropertyItem<>(Double.class, c, "Repetition penalty", "Penalise tokens already "
                        + "seen (1: none)", repetitionPenalty),
                new dev.scales.ui.common.PropertyItem<>(Integer.class, c, "Seed", "Same seed, same text", seed),
                new dev.scales.ui.common.PropertyItem<>(String.class, c, "Stop at", "Text that ends generation; \\n "
                        + "for a newline, empty for none", stopSequence));
    }

    /** After a run of a classification prompt: each label's probability, raw and calibrated. */
    public ReadOnlyObjectProperty<FewShotEvaluator.LabelProbabilities> labelProbabilitiesProperty() {
        return labelProbabilities.getReadOnlyProperty();
    }

    /** The weights the label probabilities shown were computed on. */
    public ReadOnlyStringProperty runWeightsProperty() {
        return runWeights.getReadOnlyProperty();
    }

    /** The weights the sweep shown ran on. */
    public ReadOnlyStringProperty sweepWeightsProperty() {
        return sweepWeights.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty samplingErrorProperty() {
        return samplingError.getReadOnlyProperty();
    }

    public javafx.beans.property.ObjectProperty<Double> temperatureProperty() {
        return temperature;
    }

    public void cancel() {
        cancel.set(true);
        Job<?> job = evaluation;
        if (job != null) {
            job.cancel();
        }
    }

    /**
     * Evaluates the prompt's demonstrations on a labelled test set (JSONL or CSV with input and
     * label) by label scoring; each label is scored as written in the test set.
     */
    public void evaluate(java.nio.file.Path testFile) {
        evaluate(testFile, null);
    }

    /**
     * As {@link #evaluate(java.nio.file.Path)}, reading the named fields ({@code null}: recognise
     * them by name). A test set whose answers are mostly distinct is a free-text task: each answer
     * is generated and compared (exact and contains match).
     */
    public void evaluate(java.nio.file.Path testFile, LabelledData.Fields fields) {
        FewShotPrompt p = prompt.get();
        if (p == null || !runBlockedReason.get().isEmpty() || running.get()) {
            return;
        }
        withTestSet(testFile, fields, false, t -> evaluate(testFile, p, t));
    }

    private void evaluate(java.nio.file.Path testFile, FewShotPrompt p, TestSet t) {
        if (running.get()) {
            return;
        }
        if (t.freeText()) {
            evaluateFreeText(testFile, p, t);
            return;
        }
        List<String> labelNames = t.labels();
        LabelSet labels = LabelSet.of(labelNames.toArray(String[]::new));
        List<FewShotEvaluator.TestExample> test = t.examples();
        String skipped = t.skipped();
        running.set(true);
        evaluationProgress.set(0);
        evaluationStatus.set("evaluating " + test.size() + " examples…");
        predictions.clear();
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicReference<String> weights = new java.util.concurrent.atomic.AtomicReference<>();
        Job<FewShotEvaluator.Result> job = manager.submit("evaluate " + testFile.getFileName(), Job.Priority.EVALUATION,
                (m, ctx) -> {
                    weights.set(ctx.weights());
                    return FewShotEvaluator.evaluate(m, p, labels, test, FewShotEvaluator.Options.DEFAULT,
                        done -> ui.run(() -> {
                            evaluationProgress.set((double) done / test.size());
                            long elapsed = System.nanoTime() - start;
                            long eta = elapsed / done * (test.size() - done) / 1_000_000_000L;
                            evaluationStatus.set(done + " / " + test.size() + " · ETA " + eta + " s");
                        }), ctx::isCancelled);
                });
        whenEnded(job, r -> {
            evaluationLabels.setAll(labelNames); // before the metrics: the confusion matrix is drawn from both
            predictions.setAll(r.predictions());
            metrics.set(r.metrics());
            evaluationStatus.set(String.format(java.util.Locale.ROOT, "%d-shot · accuracy %.1f%% · macro-F1 %.3f · %d "
                    + "examples%s%s", p.enabledExamples().size(), 100 * r.metrics().accuracy(), r.metrics().macroF1(),
                    r.metrics().count(), on(weights), skipped));
        });
    }

    /**
     * When an evaluation job ends: its error in the status, or its result to {@code show}; then the
     * pane is idle again (so whoever waits for that sees the results in place).
     */
    private <T> void whenEnded(Job<T> job, java.util.function.Consumer<T> show) {
        evaluation = job;
        job.future().whenComplete((r, e) -> ui.run(() -> {
            evaluation = null;
            if (e != null) {
                evaluationStatus.set(Errors.message(e));
            } else {
                show.accept(r);
            }
            running.set(false);
        }));
    }

    private void evaluateFreeText(java.nio.file.Path testFile, FewShotPrompt p, TestSet t) {
        List<FewShotEvaluator.TestExample> test = t.examples();
        int maxNew = value(maxTokens, 48);
        running.set(true);
        evaluationProgress.set(0);
        evaluationStatus.set("generating " + test.size() + " answers…");
        predictions.clear();
        metrics.set(null);
        java.util.concurrent.atomic.AtomicReference<String> weights = new java.util.concurrent.atomic.AtomicReference<>();
        Job<FreeTextEvaluator.Result> job = manager.submit("evaluate " + testFile.getFileName(),
                Job.Priority.EVALUATION, (m, ctx) -> {
                    weights.set(ctx.weights());
                    return FreeTextEvaluator.evaluate(m, p, test, maxNew, done -> ui.run(() -> {
                        evaluationProgress.set((double) done / test.size());
                        evaluationStatus.set(done + " / " + test.size() + " answers");
                    }), ctx::isCancelled);
                });
        whenEnded(job, r -> {
            evaluationLabels.clear();
            // An exact match (after normalising case, spaces and punctuation) shows as the expected text, so the
            // table's right/wrong marks and its mistakes filter agree with the exact-match rate.
            predictions.setAll(r.predictions().stream().map(x -> new FewShotEvaluator.Prediction(x.index(), x.input(),
                    x.expected(), x.exact() ? x.expected() : x.answer(), new double[0])).toList());
            evaluationStatus.set(String.format(java.util.Locale.ROOT, "free text, %d-shot · exact match %.1f%% · "
                    + "contains %.1f%% · %d examples%s%s", p.enabledExamples().size(), 100 * r.exactMatch(),
                    100 * r.containsMatch(), r.count(), on(weights), t.skipped()));
        });
    }

    /**
     * Accuracy against the number of demonstrations: k = 0, 1, 2, 4… up to the examples in the
     * table, each k drawn with three seeds (balanced per label), for each chosen series (gold labels,
     * random labels, calibrated); points arrive as they are measured.
     */
    public void sweep(java.nio.file.Path testFile) {
        sweep(testFile, null);
    }

    /** As {@link #sweep(java.nio.file.Path)}, reading the named fields ({@code null}: recognise them by name). */
    public void sweep(java.nio.file.Path testFile, LabelledData.Fields fields) {
        FewShotPrompt p = prompt.get();
        if (p == null || model == null || running.get()) {
            return;
        }
        if (sweepVariants.isEmpty()) {
            evaluationStatus.set("Choose at least one series to sweep: gold labels, random labels or calibrated.");
            return;
        }
        withTestSet(testFile, fields, true, t -> sweep(p, t));
    }

    private void sweep(FewShotPrompt p, TestSet t) {
        if (running.get()) {
            return;
        }
        List<String> labelNames = t.labels();
        List<FewShotEvaluator.TestExample> test = t.examples();
        int pool = p.enabledExamples().size();
        List<Integer> ks = new java.util.ArrayList<>(List.of(0));
        for (int k = 1; k <= pool; k *= 2) {
            ks.add(k);
        }
        PromptSet set = new PromptSet(p.instruction(), p.template(), LabelSet.of(labelNames.toArray(String[]::new)),
                p.examples(), p.chat());
        List<ShotSweep.Variant> variants = List.copyOf(sweepVariants);
        running.set(true);
        sweepPoints.clear();
        evaluationStatus.set("sweeping k = " + ks + " over 3 seeds…");
        java.util.concurrent.atomic.AtomicReference<String> weights = new java.util.concurrent.atomic.AtomicReference<>();
        Job<ShotSweep.Result> job = manager.submit("sweep shots", Job.Priority.EVALUATION, (m, ctx) -> {
            weights.set(ctx.weights());
            ui.run(() -> sweepWeights.set(weights.get())); // the points that arrive are these weights'
            return ShotSweep.run(m, set, test, new ShotSweep.Settings(ks, 3, Demonstrations.Choice.BALANCED, variants,
                    FewShotEvaluator.Options.DEFAULT), point -> ui.run(() -> sweepPoints.add(point)), ctx::isCancelled);
        });
        whenEnded(job, r -> evaluationStatus.set("accuracy against shots on " + test.size() + " examples"
                + on(weights) + (r.note().isEmpty() ? "" : " · " + r.note())));
    }

    /** " · on <weights>" for a status line; empty when the job did not say. */
    private static String on(java.util.concurrent.atomic.AtomicReference<String> weights) {
        String w = weights.get();
        return w == null || w.isEmpty() ? "" : " · on " + w;
    }

    /** Opens a prompt set: instruction, template and demonstrations replace the pane's (labels come with test sets). */
    public void openPromptSet(java.nio.file.Path file) {
        try {
            PromptSet set = PromptSet.read(file);
            setPrompt(set.prompt(set.examples(), query.get()));
            evaluationStatus.set("opened " + file.getFileName());
        } catch (ScalesException e) {
            evaluationStatus.set(e.getMessage());
        }
    }

    /** Saves the pane's prompt as a prompt set (labels: the demonstrations' distinct outputs). */
    public void savePromptSet(java.nio.file.Path file) {
        FewShotPrompt p = prompt.get();
        if (p == null) {
            evaluationStatus.set("Fix the template before saving.");
            return;
        }
        List<String> outputs = p.examples().stream().map(dev.scales.core.prompt.Example::output).distinct().toList();
        LabelSet labels = outputs.size() >= 2 && outputs.stream().noneMatch(String::isEmpty)
                ? LabelSet.of(outputs.toArray(String[]::new)) : null;
        try {
            new PromptSet(p.instruction(), p.template(), labels, p.examples()).write(file);
            evaluationStatus.set("saved " + file.getFileName());
        } catch (java.io.IOException e) {
            evaluationStatus.set(file + ": cannot save: " + e.getMessage());
        }
    }

    /** Appends rows of a labelled dataset (input, label) as demonstrations: shown as far as the context goes, the rest off. */
    public void importExamples(java.nio.file.Path file) {
        importExamples(file, null);
    }

    /** As {@link #importExamples(java.nio.file.Path)}, reading the named fields ({@code null}: recognise them). */
    public void importExamples(java.nio.file.Path file, LabelledData.Fields fields) {
        withTestSet(file, fields, false, t -> {
            int on = fitting(t.examples());
            List<ExampleRow> added = new java.util.ArrayList<>();
            for (int i = 0; i < t.examples().size(); i++) {
                FewShotEvaluator.TestExample e = t.examples().get(i);
                added.add(new ExampleRow(new dev.scales.core.prompt.Example(e.input(), e.label(), i < on)));
            }
            examples.addAll(added);
            // the estimate counted each example alone: switch the last ones off while the whole is too long
            for (int i = on - 1; i >= 0 && overContext.get(); i--) {
                added.get(i).enabledProperty().set(false);
            }
            long shown = added.stream().filter(r -> r.enabledProperty().get()).count();
            evaluationStatus.set("imported " + added.size() + " examples from " + file.getFileName() + " ("
                    + (shown == added.size() ? "all shown" : shown + " shown: as many as fit " + model.name()
                    + "'s context; tick others to swap them in") + ")" + t.skipped());
        });
    }

    /**
     * How many of {@code rows}, in order, fit the model's context beside the prompt as it is, with
     * room left for an answer: all without a model (nothing to count with).
     */
    private int fitting(List<FewShotEvaluator.TestExample> rows) {
        FewShotPrompt p = prompt.get();
        if (model == null || p == null) {
            return rows.size();
        }
        int budget = model.contextLength() - model.tokenizer().encode(p.render(), true).length
                - Math.min(value(maxTokens, 48), model.contextLength() / 8);
        int n = 0;
        for (FewShotEvaluator.TestExample e : rows) {
            budget -= model.tokenizer().encode(p.template().renderExample(e.input(), p.answer(e.label()).strip()),
                    false).length;
            if (budget < 0) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Switches every example on, or every one off. */
    public void enableAll(boolean on) {
        // one change, one re-render (not one per row)
        examples.setAll(examples.stream().map(r -> new ExampleRow(r.toExample().withEnabled(on))).toList());
    }

    /**
     * A test set read for the pane: its examples, its labels in order of appearance, what was
     * skipped. Mostly distinct answers (more than 8, or more than half the examples) make it free text.
     */
    private record TestSet(List<FewShotEvaluator.TestExample> examples, List<String> labels, String skipped) {
        boolean freeText() {
            return labels.size() > 8 || (labels.size() >= 3 && labels.size() > examples.size() / 2);
        }
    }

    /**
     * The fields of a test set, when their names say which holds the input and which the label;
     * empty when the user must choose among {@link #fieldsOf}.
     */
    public java.util.Optional<LabelledData.Fields> recognisedFields(java.nio.file.Path file) {
        return LabelledData.guess(fieldsOf(file), templateSlots());
    }

    /** The template's input slots ([input], or [premise, hypothesis]); none while it is not valid. */
    public List<String> templateSlots() {
        try {
            return new PromptTemplate(template.get()).slots();
        } catch (ScalesException e) {
            return List.of();
        }
    }

    /** The field names of a test set (none when it cannot be read: reading it then says why). */
    public List<String> fieldsOf(java.nio.file.Path file) {
        try {
            return LabelledData.fields(file);
        } catch (ScalesException e) {
            return List.of();
        }
    }

    /** A test set file as read: the fields used (null when none could be recognised) and its rows. */
    private record ReadTestSet(LabelledData.Fields fields, LabelledData.Result data, List<String> columns) {}

    /**
     * Reads a test set away from the FX thread, then, back on it, hands it to {@code then} or shows
     * why it cannot be used.
     */
    private void withTestSet(java.nio.file.Path file, LabelledData.Fields fields, boolean labelsOnly,
                             java.util.function.Consumer<TestSet> then) {
        List<String> slots = templateSlots();
        evaluationStatus.set("reading " + file.getFileName() + "…");
        ui.offThread(() -> {
            dev.scales.core.data.Records.Table table = dev.scales.core.data.Records.read(file); // read once
            LabelledData.Fields f = fields != null ? fields : LabelledData.guess(table.fields(), slots).orElse(null);
            return new ReadTestSet(f, f == null ? null : LabelledData.of(file, table, f), table.fields());
        }, (read, e) -> {
            if (e != null) {
                evaluationStatus.set(Errors.message(e));
                return;
            }
            TestSet t = testSet(file, read, labelsOnly);
            if (t != null) {
                then.accept(t);
            }
        });
    }

    /** The test set read, or null after showing why it cannot be used. */
    private TestSet testSet(java.nio.file.Path file, ReadTestSet read, boolean labelsOnly) {
        LabelledData.Fields f = read.fields();
        if (f == null) {
            evaluationStatus.set(file.getFileName() + ": which fields hold the input and the label? It has "
                    + read.columns() + "; choose them when opening the file.");
            return null;
        }
        LabelledData.Result data = read.data();
        List<String> labels = data.rows().stream().map(LabelledData.Row::label).distinct().toList();
        String skipped = data.problems().isEmpty() ? "" : " · " + data.problems().size() + " line(s) skipped, first: "
                + data.problems().get(0);
        TestSet t = new TestSet(data.rows().stream().map(r -> new FewShotEvaluator.TestExample(r.input(), r.label()))
                .toList(), labels, skipped);
        if (labels.size() < 2) {
            evaluationStatus.set(file.getFileName() + ": needs at least two different labels, found " + labels);
            return null;
        }
        if (labelsOnly && t.freeText()) {
            evaluationStatus.set(file.getFileName() + ": " + labels.size() + " different answers in " + data.rows().size()
                    + " examples — a free-text task; a sweep scores a label set (Evaluate compares free text)");
            return null;
        }
        lastTestFields = f;
        lastTestSet.set(file);
        return t;
    }

    /** The fields the last test set was read with. */
    public LabelledData.Fields lastTestFields() {
        return lastTestFields;
    }

    /** The test set last evaluated or swept (null before any). */
    public ReadOnlyObjectProperty<java.nio.file.Path> lastTestSetProperty() {
        return lastTestSet.getReadOnlyProperty();
    }

    /** The series the next sweep measures (all three at first). */
    public javafx.collections.ObservableSet<ShotSweep.Variant> sweepVariants() {
        return sweepVariants;
    }

    /**
     * Writes the sweep: its points as CSV for a {@code .csv} file, else the chart (PNG, or SVG for
     * {@code .svg}) that {@code image} writes; the outcome shows in the evaluation status.
     */
    public void exportSweep(java.nio.file.Path file, ImageWriter image) {
        dev.scales.ui.common.UiThread.FileWork work;
        try {
            if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
                List<ShotSweep.Point> points = List.copyOf(sweepPoints);
                work = () -> ShotSweep.writeCsv(file, points);
            } else {
                work = image.draw(file);
            }
        } catch (java.io.IOException | RuntimeException e) {
            evaluationStatus.set("could not save the sweep to " + file + ": " + Errors.message(e));
            return;
        }
        evaluationStatus.set("saving the sweep to " + file.getFileName() + "…");
        ui.writeFile(work, e -> evaluationStatus.set(e == null ? "saved the sweep to " + file.getFileName()
                : "could not save the sweep to " + file + ": " + Errors.message(e)));
    }

    /** The sweep's points so far (series, k, mean, spread). */
    public ObservableList<ShotSweep.Point> sweepPoints() {
        return sweepPointsView;
    }

    public ReadOnlyStringProperty evaluationStatusProperty() {
        return evaluationStatus.getReadOnlyProperty();
    }

    public javafx.beans.property.ReadOnlyDoubleProperty evaluationProgressProperty() {
        return evaluationProgress.getReadOnlyProperty();
    }

    /** The last evaluation's metrics, or null. */
    public ReadOnlyObjectProperty<Metrics> metricsProperty() {
        return metrics.getReadOnlyProperty();
    }

    /** Label names in the order of the confusion matrix's rows and columns. */
    public ObservableList<String> evaluationLabels() {
        return evaluationLabelsView;
    }

    public ObservableList<FewShotEvaluator.Prediction> predictions() {
        return predictionsView;
    }

    private static String describe(GenerationResult.StopReason stop) {
        return switch (stop) {
            case MAX_TOKENS -> "reached the token limit";
            case EOS -> "the model ended the text";
            case STOP_SEQUENCE -> "stopped at the end of the answer";
            case CONTEXT_FULL -> "the context window is full";
            case CANCELLED -> "cancelled";
        };
    }

    // Commands

    public void addExample() {
        examples.add(new ExampleRow(new Example("", "")));
    }

    public void removeExample(int index) {
        if (index >= 0 && index < examples.size()) {
            examples.remove(index);
        }
    }

    public void duplicateExample(int index) {
        if (index >= 0 && index < examples.size()) {
            examples.add(index + 1, new ExampleRow(examples.get(index).toExample()));
        }
    }

    /** Moves the example at {@code index} by {@code delta} places; returns its new index. */
    public int moveExample(int index, int delta) {
        int target = index + delta;
        if (index < 0 || index >= examples.size() || target < 0 || target >= examples.size()) {
            return index;
        }
        ExampleRow row = examples.remove(index);
        examples.add(target, row);
        return target;
    }

    // Properties

    public StringProperty instructionProperty() {
        return instruction;
    }

    public StringProperty templateProperty() {
        return template;
    }

    public StringProperty queryProperty() {
        return query;
    }

    public ObservableList<ExampleRow> examples() {
        return examples;
    }

    public ReadOnlyStringProperty previewProperty() {
        return preview.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty previewInfoProperty() {
        return previewInfo.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty templateErrorProperty() {
        return templateError.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<FewShotPrompt> promptProperty() {
        return prompt.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty overContextProperty() {
        return overContext.getReadOnlyProperty();
    }

    public ObservableList<GeneratedToken> outputTokens() {
        return outputTokensView;
    }

    public ReadOnlyStringProperty outputTextProperty() {
        return outputText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty runStatusProperty() {
        return runStatus.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty runBlockedReasonProperty() {
        return runBlockedReason.getReadOnlyProperty();
    }
}
