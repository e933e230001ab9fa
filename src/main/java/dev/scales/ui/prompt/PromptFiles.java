package dev.scales.ui.prompt;

import dev.scales.core.ScalesException;
import dev.scales.core.data.LabelledData;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.prompt.PromptSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * The prompt pane's files: prompt sets opened and saved, and labelled rows imported as
 * demonstrations. Outcomes show in the evaluation status.
 */
final class PromptFiles {
    private final PromptEditor editor;
    private final TestSetReader reader;
    private final ReadOnlyStringWrapper status;
    /** The answer length set for generation, for which an import leaves room in the context. */
    private final IntSupplier maxTokens;

    PromptFiles(PromptEditor editor, TestSetReader reader, ReadOnlyStringWrapper status, IntSupplier maxTokens) {
        this.editor = editor;
        this.reader = reader;
        this.status = status;
        this.maxTokens = maxTokens;
    }

    /** Opens a prompt set: instruction, template and demonstrations replace the pane's (labels come with test sets). */
    void open(Path file) {
        try {
            PromptSet set = PromptSet.read(file);
            editor.setPrompt(set.prompt(set.examples(), editor.queryProperty().get()));
            status.set("opened " + file.getFileName());
        } catch (ScalesException e) {
            status.set(e.getMessage());
        }
    }

    /** Saves the pane's prompt as a prompt set (labels: the demonstrations' distinct outputs). */
    void save(Path file) {
        FewShotPrompt p = editor.promptProperty().get();
        if (p == null) {
            status.set("Fix the template before saving.");
            return;
        }
        List<String> outputs = p.examples().stream().map(Example::output).distinct().toList();
        LabelSet labels = outputs.size() >= 2 && outputs.stream().noneMatch(String::isEmpty)
                ? LabelSet.of(outputs.toArray(String[]::new)) : null;
        try {
            new PromptSet(p.instruction(), p.template(), labels, p.examples()).write(file);
            status.set("saved " + file.getFileName());
        } catch (IOException e) {
            status.set(file + ": cannot save: " + e.getMessage());
        }
    }

    /**
     * Appends rows of a labelled dataset (input, label) as demonstrations, reading the named fields
     * ({@code null}: recognise them): shown as far as the context goes, the rest off.
     */
    void importExamples(Path file, LabelledData.Fields fields) {
        reader.read(file, fields, false, t -> {
            int on = fitting(t.examples());
            List<ExampleRow> added = new ArrayList<>();
            for (int i = 0; i < t.examples().size(); i++) {
                FewShotEvaluator.TestExample e = t.examples().get(i);
                added.add(new ExampleRow(new Example(e.input(), e.label(), i < on)));
            }
            editor.examples().addAll(added);
            // the estimate counted each example alone: switch the last ones off while the whole is too long
            for (int i = on - 1; i >= 0 && editor.overContextProperty().get(); i--) {
                added.get(i).enabledProperty().set(false);
            }
            long shown = added.stream().filter(r -> r.enabledProperty().get()).count();
            status.set("imported " + added.size() + " examples from " + file.getFileName() + " ("
                    + (shown == added.size() ? "all shown" : shown + " shown: as many as fit "
                    + editor.model().name() + "'s context; tick others to swap them in") + ")" + t.skipped());
        });
    }

    /**
     * How many of {@code rows}, in order, fit the model's context beside the prompt as it is, with
     * room left for an answer: all without a model (nothing to count with).
     */
    private int fitting(List<FewShotEvaluator.TestExample> rows) {
        FewShotPrompt p = editor.promptProperty().get();
        LoadedModel model = editor.model();
        if (model == null || p == null) {
            return rows.size();
        }
        int budget = model.contextLength() - model.tokenizer().encode(p.render(), true).length
                - Math.min(maxTokens.getAsInt(), model.contextLength() / 8);
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
}
