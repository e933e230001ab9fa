package dev.scales.ui.prompt;

import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.GenerationResult;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import dev.scales.ui.common.Coalescer;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.UiThread;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Runs the prompt: generates a continuation, streaming tokens with their probabilities into the
 * output, and for a classification prompt also scores each label its demonstrations use.
 */
final class PromptRunner {
    private final ObservableList<GeneratedToken> outputTokens = FXCollections.observableArrayList();
    /** A read-only view kept as a field: views made per call are collected, and their listeners with them. */
    private final ObservableList<GeneratedToken> outputTokensView = FXCollections.unmodifiableObservableList(outputTokens);
    private final ReadOnlyStringWrapper outputText = new ReadOnlyStringWrapper(this, "outputText", "");
    private final ReadOnlyStringWrapper runStatus = new ReadOnlyStringWrapper(this, "runStatus", "");
    private final ReadOnlyObjectWrapper<FewShotEvaluator.LabelProbabilities> labelProbabilities =
            new ReadOnlyObjectWrapper<>(this, "labelProbabilities");
    /** The weights the last run's label probabilities were computed on, as the model bar names them. */
    private final ReadOnlyStringWrapper runWeights = new ReadOnlyStringWrapper(this, "runWeights", "");
    private final ModelManager manager;
    private final UiThread ui;
    private final PromptEditor editor;
    private final SamplingControls sampling;
    private final PromptActivity activity;
    private AtomicBoolean cancel = new AtomicBoolean();

    PromptRunner(ModelManager manager, UiThread ui, PromptEditor editor, SamplingControls sampling,
                 PromptActivity activity) {
        this.manager = manager;
        this.ui = ui;
        this.editor = editor;
        this.sampling = sampling;
        this.activity = activity;
    }

    /** Generates a continuation of the prompt, streaming tokens into the output. */
    void run() {
        FewShotPrompt p = editor.promptProperty().get();
        if (p == null || !editor.runBlockedReasonProperty().get().isEmpty() || activity.running().get()) {
            return;
        }
        GenerationSettings settings = sampling.validSettings(p);
        if (settings == null) {
            runStatus.set(sampling.errorProperty().get());
            return;
        }
        outputTokens.clear();
        outputText.set("");
        runStatus.set("running…");
        activity.running().set(true);
        AtomicBoolean cancelled = new AtomicBoolean();
        cancel = cancelled;
        submit(p, settings, cancelled);
    }

    /** The generation job; a classification prompt also scores each label the demonstrations use. */
    private void submit(FewShotPrompt p, GenerationSettings settings, AtomicBoolean cancelled) {
        Coalescer<GeneratedToken> stream = new Coalescer<>(ui, batch -> {
            outputTokens.addAll(batch);
            batch.forEach(t -> outputText.set(outputText.get() + t.text()));
        });
        String text = p.render();
        List<String> outputs = p.enabledExamples().stream().map(Example::output).distinct()
                .filter(o -> !o.isBlank()).toList();
        labelProbabilities.set(null);
        JobWeights weights = new JobWeights();
        manager.submit("generate", Job.Priority.INTERACTIVE, (m, ctx) -> {
            weights.set(ctx.weights());
            GenerationResult g = Generator.generate(m, text, settings, stream::add, cancelled::get);
            if (outputs.size() >= 2 && !cancelled.get()) {
                var lp = FewShotEvaluator.labelProbabilities(m, p, LabelSet.of(outputs.toArray(String[]::new)));
                ui.run(() -> {
                    runWeights.set(weights.get());
                    labelProbabilities.set(lp);
                });
            }
            return g;
        }).future().whenComplete((r, e) -> ui.run(() -> finished(r, e, weights)));
    }

    private void finished(GenerationResult r, Throwable e, JobWeights weights) {
        if (e != null) {
            runStatus.set(Errors.message(e));
        } else {
            outputText.set(r.text());
            runStatus.set(String.format(Locale.ROOT, "%d tokens · %.1f tokens/s · %s%s", r.tokens().size(),
                    r.decodeTokensPerSecond(), describe(r.stop()), weights.suffix()));
        }
        activity.running().set(false); // last: whoever waits for the end finds the answer and its status there
    }

    /** Stops the run under way (it ends with the tokens so far). */
    void cancel() {
        cancel.set(true);
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

    ObservableList<GeneratedToken> outputTokens() {
        return outputTokensView;
    }

    ReadOnlyStringProperty outputTextProperty() {
        return outputText.getReadOnlyProperty();
    }

    ReadOnlyStringProperty runStatusProperty() {
        return runStatus.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<FewShotEvaluator.LabelProbabilities> labelProbabilitiesProperty() {
        return labelProbabilities.getReadOnlyProperty();
    }

    ReadOnlyStringProperty runWeightsProperty() {
        return runWeights.getReadOnlyProperty();
    }
}
