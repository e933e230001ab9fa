package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import dev.scales.core.device.ModelManager;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.eval.Metrics;
import dev.scales.core.eval.ShotSweep;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.ui.common.ImageWriter;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;
import javafx.collections.ObservableSet;
import org.controlsfx.control.PropertySheet;

/**
 * State of the prompt pane: the few-shot prompt being edited and its preview ({@link PromptEditor}),
 * its sampling settings ({@link SamplingControls}), runs ({@link PromptRunner}), evaluations
 * ({@link PromptEvaluation}), shot sweeps ({@link ShotSweeper}) and files ({@link PromptFiles}).
 * The pane binds to this one object; it hands each request to the part that does it.
 */
public final class PromptViewModel {
    private final PromptActivity activity;
    private final PromptEditor editor = new PromptEditor();
    private final SamplingControls sampling = new SamplingControls();
    private final TestSetReader reader;
    private final PromptRunner runner;
    private final PromptEvaluation evaluation;
    private final ShotSweeper sweeper;
    private final PromptFiles files;

    public PromptViewModel(ModelManager manager, UiThread ui) {
        activity = new PromptActivity(ui);
        reader = new TestSetReader(ui, activity.status(), editor::templateSlots);
        runner = new PromptRunner(manager, ui, editor, sampling, activity);
        evaluation = new PromptEvaluation(manager, ui, editor, reader, activity, sampling::maxTokens);
        sweeper = new ShotSweeper(manager, ui, editor, reader, activity);
        files = new PromptFiles(editor, reader, activity.status(), sampling::maxTokens);
        manager.addListener(m -> ui.run(() -> setModel(m.orElse(null))));
        editor.setPrompt(PromptEditor.starterPrompt());
    }

    /** The model prompts run on (null: none); the sampling defaults, token count and run gate follow it. */
    void setModel(LoadedModel m) {
        if (m != null) {
            sampling.takeDefaults(m);
        }
        editor.setModel(m);
    }

    // Editing

    /** Replaces the whole prompt (e.g. when a prompt set is opened). */
    public void setPrompt(FewShotPrompt p) {
        editor.setPrompt(p);
    }

    public void addExample() {
        editor.addExample();
    }

    public void removeExample(int index) {
        editor.removeExample(index);
    }

    public void duplicateExample(int index) {
        editor.duplicateExample(index);
    }

    /** Moves the example at {@code index} by {@code delta} places; returns its new index. */
    public int moveExample(int index, int delta) {
        return editor.moveExample(index, delta);
    }

    /** Switches every example on, or every one off. */
    public void enableAll(boolean on) {
        editor.enableAll(on);
    }

    /** The template's input slots ([input], or [premise, hypothesis]); none while it is not valid. */
    public List<String> templateSlots() {
        return editor.templateSlots();
    }

    // Running

    /** Generates a continuation of the prompt, streaming tokens into the output. */
    public void run() {
        runner.run();
    }

    /** Stops the run, evaluation or sweep under way. */
    public void cancel() {
        runner.cancel();
        activity.cancelJob();
    }

    /** The sampling settings the next run uses (with the current prompt's stop). */
    public GenerationSettings samplingSettings() {
        return sampling.settings(editor.promptProperty().get());
    }

    /** Rows of the sampling settings sheet. */
    public List<PropertySheet.Item> samplingItems() {
        return sampling.items();
    }

    // Evaluating and sweeping

    /**
     * Evaluates the prompt's demonstrations on a labelled test set (JSONL or CSV with input and
     * label) by label scoring; each label is scored as written in the test set.
     */
    public void evaluate(Path testFile) {
        evaluate(testFile, null);
    }

    /**
     * As {@link #evaluate(Path)}, reading the named fields ({@code null}: recognise them by name). A
     * test set whose answers are mostly distinct is a free-text task: each answer is generated and
     * compared (exact and contains match).
     */
    public void evaluate(Path testFile, LabelledData.Fields fields) {
        evaluation.evaluate(testFile, fields);
    }

    /**
     * Accuracy against the number of demonstrations: k = 0, 1, 2, 4… up to the examples in the
     * table, each k drawn with three seeds (balanced per label), for each chosen series (gold labels,
     * random labels, calibrated); points arrive as they are measured.
     */
    public void sweep(Path testFile) {
        sweep(testFile, null);
    }

    /** As {@link #sweep(Path)}, reading the named fields ({@code null}: recognise them by name). */
    public void sweep(Path testFile, LabelledData.Fields fields) {
        sweeper.sweep(testFile, fields);
    }

    /**
     * Writes the sweep: its points as CSV for a {@code .csv} file, else the chart (PNG, or SVG for
     * {@code .svg}) that {@code image} writes; the outcome shows in the evaluation status.
     */
    public void exportSweep(Path file, ImageWriter image) {
        sweeper.export(file, image);
    }

    // Files

    /** Opens a prompt set: instruction, template and demonstrations replace the pane's (labels come with test sets). */
    public void openPromptSet(Path file) {
        files.open(file);
    }

    /** Saves the pane's prompt as a prompt set (labels: the demonstrations' distinct outputs). */
    public void savePromptSet(Path file) {
        files.save(file);
    }

    /** Appends rows of a labelled dataset (input, label) as demonstrations: shown as far as the context goes, the rest off. */
    public void importExamples(Path file) {
        importExamples(file, null);
    }

    /** As {@link #importExamples(Path)}, reading the named fields ({@code null}: recognise them). */
    public void importExamples(Path file, LabelledData.Fields fields) {
        files.importExamples(file, fields);
    }

    /**
     * The input and label fields among a test set's field {@code names}, when the names say which;
     * empty when the user must choose.
     */
    public Optional<LabelledData.Fields> recognisedFields(List<String> names) {
        return reader.recognisedFields(names);
    }

    /** Reads a test set's field names, away from the FX thread, for {@code then} (none when it cannot be read). */
    public void fieldsOf(Path file, java.util.function.Consumer<List<String>> then) {
        reader.fieldsOf(file, then);
    }

    /** The fields the last test set was read with. */
    public LabelledData.Fields lastTestFields() {
        return reader.lastTestFields();
    }

    /** The test set last evaluated or swept (null before any). */
    public ReadOnlyObjectProperty<Path> lastTestSetProperty() {
        return reader.lastTestSetProperty();
    }

    // Properties: the prompt

    public StringProperty instructionProperty() {
        return editor.instructionProperty();
    }

    public StringProperty templateProperty() {
        return editor.templateProperty();
    }

    public StringProperty queryProperty() {
        return editor.queryProperty();
    }

    public ObservableList<ExampleRow> examples() {
        return editor.examples();
    }

    /** Whether prompts are written as a conversation by the model's chat template (when it has one). */
    public BooleanProperty chatFormatProperty() {
        return editor.chatFormatProperty();
    }

    /** Whether the loaded model has a chat template, so the chat format can be chosen. */
    public ReadOnlyBooleanProperty chatAvailableProperty() {
        return editor.chatAvailableProperty();
    }

    public ReadOnlyStringProperty previewProperty() {
        return editor.previewProperty();
    }

    public ReadOnlyStringProperty previewInfoProperty() {
        return editor.previewInfoProperty();
    }

    public ReadOnlyStringProperty templateErrorProperty() {
        return editor.templateErrorProperty();
    }

    public ReadOnlyObjectProperty<FewShotPrompt> promptProperty() {
        return editor.promptProperty();
    }

    public ReadOnlyBooleanProperty overContextProperty() {
        return editor.overContextProperty();
    }

    public ReadOnlyStringProperty runBlockedReasonProperty() {
        return editor.runBlockedReasonProperty();
    }

    // Properties: runs

    public ObjectProperty<Double> temperatureProperty() {
        return sampling.temperatureProperty();
    }

    public ReadOnlyStringProperty samplingErrorProperty() {
        return sampling.errorProperty();
    }

    public ObservableList<GeneratedToken> outputTokens() {
        return runner.outputTokens();
    }

    public ReadOnlyStringProperty outputTextProperty() {
        return runner.outputTextProperty();
    }

    public ReadOnlyStringProperty runStatusProperty() {
        return runner.runStatusProperty();
    }

    /** Whether a run, an evaluation or a sweep is under way. */
    public ReadOnlyBooleanProperty runningProperty() {
        return activity.running().getReadOnlyProperty();
    }

    /** After a run of a classification prompt: each label's probability, raw and calibrated. */
    public ReadOnlyObjectProperty<FewShotEvaluator.LabelProbabilities> labelProbabilitiesProperty() {
        return runner.labelProbabilitiesProperty();
    }

    /** The weights the label probabilities shown were computed on. */
    public ReadOnlyStringProperty runWeightsProperty() {
        return runner.runWeightsProperty();
    }

    // Properties: evaluations and sweeps

    public ReadOnlyStringProperty evaluationStatusProperty() {
        return activity.status().getReadOnlyProperty();
    }

    /** The evaluation or sweep under way: its share done, the time left, its Cancel. */
    public JobProgress evaluationProgress() {
        return activity.progress();
    }

    /** A sweep's export under way. */
    public JobProgress sweepExportProgress() {
        return sweeper.exportProgress();
    }

    /** The last evaluation's metrics, or null. */
    public ReadOnlyObjectProperty<Metrics> metricsProperty() {
        return evaluation.metricsProperty();
    }

    /** Label names in the order of the confusion matrix's rows and columns. */
    public ObservableList<String> evaluationLabels() {
        return evaluation.labels();
    }

    public ObservableList<FewShotEvaluator.Prediction> predictions() {
        return evaluation.predictions();
    }

    /** The sweep's points so far (series, k, mean, spread). */
    public ObservableList<ShotSweep.Point> sweepPoints() {
        return sweeper.points();
    }

    /** The series the next sweep measures (all three at first). */
    public ObservableSet<ShotSweep.Variant> sweepVariants() {
        return sweeper.variants();
    }

    /** The weights the sweep shown ran on. */
    public ReadOnlyStringProperty sweepWeightsProperty() {
        return sweeper.weightsProperty();
    }
}
