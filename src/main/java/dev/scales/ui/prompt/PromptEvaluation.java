package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.eval.FreeTextEvaluator;
import dev.scales.core.eval.Metrics;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Evaluates the prompt on a labelled test set: by label scoring (accuracy, macro-F1, confusion
 * matrix) or, when the answers are mostly distinct, as free text (exact and contains match).
 */
final class PromptEvaluation {
    private final ReadOnlyObjectWrapper<Metrics> metrics = new ReadOnlyObjectWrapper<>(this, "metrics");
    private final ObservableList<String> labels = FXCollections.observableArrayList();
    private final ObservableList<String> labelsView = FXCollections.unmodifiableObservableList(labels);
    private final ObservableList<FewShotEvaluator.Prediction> predictions = FXCollections.observableArrayList();
    private final ObservableList<FewShotEvaluator.Prediction> predictionsView =
            FXCollections.unmodifiableObservableList(predictions);
    private final ModelManager manager;
    private final UiThread ui;
    private final PromptEditor editor;
    private final TestSetReader reader;
    private final PromptActivity activity;
    /** The answer length set for generation: the longest free-text answer. */
    private final IntSupplier maxTokens;

    PromptEvaluation(ModelManager manager, UiThread ui, PromptEditor editor, TestSetReader reader,
                     PromptActivity activity, IntSupplier maxTokens) {
        this.manager = manager;
        this.ui = ui;
        this.editor = editor;
        this.reader = reader;
        this.activity = activity;
        this.maxTokens = maxTokens;
    }

    /**
     * Evaluates the prompt's demonstrations on a test set, reading the named fields ({@code null}:
     * recognise them by name); each label is scored as written in the test set. A test set whose
     * answers are mostly distinct is a free-text task: each answer is generated and compared.
     */
    void evaluate(Path testFile, LabelledData.Fields fields) {
        FewShotPrompt p = editor.promptProperty().get();
        if (p == null || !editor.runBlockedReasonProperty().get().isEmpty() || activity.running().get()) {
            return;
        }
        reader.read(testFile, fields, false, t -> evaluate(testFile, p, t));
    }

    private void evaluate(Path testFile, FewShotPrompt p, TestSetReader.TestSet t) {
        if (activity.running().get()) {
            return;
        }
        if (t.freeText()) {
            evaluateFreeText(testFile, p, t);
            return;
        }
        List<String> labelNames = t.labels();
        LabelSet labelSet = LabelSet.of(labelNames.toArray(String[]::new));
        List<FewShotEvaluator.TestExample> test = t.examples();
        JobProgress.Run shown = activity.starting();
        activity.status().set("evaluating " + test.size() + " examples…");
        predictions.clear();
        JobWeights weights = new JobWeights();
        Job<FewShotEvaluator.Result> job = manager.submit("evaluate " + testFile.getFileName(), Job.Priority.EVALUATION,
                (m, ctx) -> {
                    weights.set(ctx.weights());
                    shown.begin();
                    return FewShotEvaluator.evaluate(m, p, labelSet, test, FewShotEvaluator.Options.DEFAULT,
                            done -> report(shown, done, test.size(), " examples"), ctx::isCancelled);
                });
        activity.whenEnded(job, shown, r -> {
            labels.setAll(labelNames); // before the metrics: the confusion matrix is drawn from both
            predictions.setAll(r.predictions());
            metrics.set(r.metrics());
            activity.status().set(String.format(Locale.ROOT, "%d-shot · accuracy %.1f%% · macro-F1 %.3f · %d "
                    + "examples%s%s", p.enabledExamples().size(), 100 * r.metrics().accuracy(), r.metrics().macroF1(),
                    r.metrics().count(), weights.suffix(), t.skipped()));
        });
    }

    private void evaluateFreeText(Path testFile, FewShotPrompt p, TestSetReader.TestSet t) {
        List<FewShotEvaluator.TestExample> test = t.examples();
        int maxNew = maxTokens.getAsInt();
        JobProgress.Run shown = activity.starting();
        activity.status().set("generating " + test.size() + " answers…");
        predictions.clear();
        metrics.set(null);
        JobWeights weights = new JobWeights();
        Job<FreeTextEvaluator.Result> job = manager.submit("evaluate " + testFile.getFileName(),
                Job.Priority.EVALUATION, (m, ctx) -> {
                    weights.set(ctx.weights());
                    shown.begin();
                    return FreeTextEvaluator.evaluate(m, p, test, maxNew,
                            done -> report(shown, done, test.size(), " answers"), ctx::isCancelled);
                });
        activity.whenEnded(job, shown, r -> {
            labels.clear();
            // An exact match (after normalising case, spaces and punctuation) shows as the expected text, so the
            // table's right/wrong marks and its mistakes filter agree with the exact-match rate.
            predictions.setAll(r.predictions().stream().map(x -> new FewShotEvaluator.Prediction(x.index(), x.input(),
                    x.expected(), x.exact() ? x.expected() : x.answer(), new double[0])).toList());
            activity.status().set(String.format(Locale.ROOT, "free text, %d-shot · exact match %.1f%% · "
                    + "contains %.1f%% · %d examples%s%s", p.enabledExamples().size(), 100 * r.exactMatch(),
                    100 * r.containsMatch(), r.count(), weights.suffix(), t.skipped()));
        });
    }

    /** {@code done} of {@code total} examples evaluated: the share on the bar, the count in the status. */
    private void report(JobProgress.Run shown, int done, int total, String what) {
        shown.accept((double) done / total);
        ui.run(() -> activity.status().set(done + " / " + total + what));
    }

    ReadOnlyObjectProperty<Metrics> metricsProperty() {
        return metrics.getReadOnlyProperty();
    }

    /** Label names in the order of the confusion matrix's rows and columns. */
    ObservableList<String> labels() {
        return labelsView;
    }

    ObservableList<FewShotEvaluator.Prediction> predictions() {
        return predictionsView;
    }
}
