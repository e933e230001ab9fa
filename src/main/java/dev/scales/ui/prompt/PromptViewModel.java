package dev.scales.ui.prompt;

import dev.scales.core.ScalesException;
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
            "Load a model to run this prompt.");

    public PromptViewModel() {
        for (Observable o : List.of(instruction, template, query, examples)) {
            o.addListener(ignored -> rerender());
        }
        setPrompt(starterPrompt());
    }

    /** A small sentiment prompt so a first-time user sees what a few-shot prompt looks like. */
    static FewShotPrompt starterPrompt() {
        return new FewShotPrompt("Classify the sentiment of each review as positive or negative.",
                List.of(new Example("The soup was warm and the staff were kind.", "positive"),
                        new Example("Cold fries and a forty-minute wait.", "negative"),
                        new Example("I would happily come back next week.", "positive")),
                "The bread was stale and the room was noisy.",
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
                    new PromptTemplate(template.get()));
            templateError.set("");
            prompt.set(p);
            String text = p.render();
            preview.set(text);
            previewInfo.set(text.length() + " characters · " + p.enabledExamples().size() + " of "
                    + p.examples().size() + " examples shown · load a model to count tokens");
        } catch (ScalesException e) {
            templateError.set(e.getMessage());
            prompt.set(null);
            preview.set("");
            previewInfo.set("The template needs fixing before the prompt can be shown.");
        }
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

    public ReadOnlyStringProperty runBlockedReasonProperty() {
        return runBlockedReason.getReadOnlyProperty();
    }
}
