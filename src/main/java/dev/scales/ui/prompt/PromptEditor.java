package dev.scales.ui.prompt;

import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptTemplate;
import java.util.List;
import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The few-shot prompt being edited (instruction, template, examples, query, chat format) and its
 * rendered preview: the core {@link FewShotPrompt} is rebuilt whenever a part changes, and with it
 * the token count and whether the prompt can run on the loaded model.
 */
final class PromptEditor {
    static final String NO_MODEL = "Load a model to run this prompt.";

    private final StringProperty instruction = new SimpleStringProperty(this, "instruction", "");
    private final StringProperty template = new SimpleStringProperty(this, "template", "");
    private final StringProperty query = new SimpleStringProperty(this, "query", "");
    private final ObservableList<ExampleRow> examples = FXCollections.observableArrayList(
            row -> new Observable[] {row.inputProperty(), row.outputProperty(), row.enabledProperty()});
    private final BooleanProperty chatFormat = new SimpleBooleanProperty(this, "chatFormat", false);
    private final ReadOnlyBooleanWrapper chatAvailable = new ReadOnlyBooleanWrapper(this, "chatAvailable");
    private final ReadOnlyStringWrapper preview = new ReadOnlyStringWrapper(this, "preview", "");
    private final ReadOnlyStringWrapper previewInfo = new ReadOnlyStringWrapper(this, "previewInfo", "");
    private final ReadOnlyStringWrapper templateError = new ReadOnlyStringWrapper(this, "templateError", "");
    private final ReadOnlyObjectWrapper<FewShotPrompt> prompt = new ReadOnlyObjectWrapper<>(this, "prompt");
    private final ReadOnlyStringWrapper runBlockedReason = new ReadOnlyStringWrapper(this, "runBlockedReason",
            NO_MODEL);
    private final ReadOnlyBooleanWrapper overContext = new ReadOnlyBooleanWrapper(this, "overContext");
    private LoadedModel model;

    PromptEditor() {
        for (Observable o : List.of(instruction, template, query, examples, chatFormat)) {
            o.addListener(ignored -> rerender());
        }
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

    /** The model prompts run on (null: none); the token count and the run gate follow it. */
    void setModel(LoadedModel m) {
        this.model = m;
        chatAvailable.set(m != null && m.chat().isPresent());
        rerender();
    }

    /** The model prompts run on; null when none is loaded. */
    LoadedModel model() {
        return model;
    }

    /** Replaces the whole prompt (e.g. when a prompt set is opened). */
    void setPrompt(FewShotPrompt p) {
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
            show(p);
        } catch (ChatTemplate.Refusal e) {
            unusable(e.getMessage(), "The model's chat template refuses this prompt; change it or switch off Chat "
                    + "format.", e.getMessage());
        } catch (ScalesException e) {
            unusable(e.getMessage(), "The template needs fixing before the prompt can be shown.",
                    "Fix the template to run the prompt.");
        }
    }

    /** The preview of a valid prompt, its size against the model's context, and whether it can run. */
    private void show(FewShotPrompt p) {
        String text = p.render();
        preview.set(text);
        String shown = p.enabledExamples().size() + " of " + p.examples().size() + " examples shown";
        if (model == null) {
            overContext.set(false);
            previewInfo.set(text.length() + " characters · " + shown + " · load a model to count tokens");
            runBlockedReason.set(NO_MODEL);
            return;
        }
        int tokens = model.tokenizer().encode(text, true).length;
        int context = model.contextLength();
        overContext.set(tokens >= context);
        previewInfo.set(tokens + " / " + context + " tokens · " + shown);
        runBlockedReason.set(tokens >= context ? "The prompt is " + tokens + " tokens; " + model.name()
                + " reads at most " + context + ". Switch off or shorten examples." : "");
    }

    /** No prompt: {@code error} under the template, {@code info} under the preview, {@code blocked} on Run. */
    private void unusable(String error, String info, String blocked) {
        templateError.set(error);
        prompt.set(null);
        preview.set("");
        previewInfo.set(info);
        runBlockedReason.set(blocked);
    }

    /** The template's input slots ([input], or [premise, hypothesis]); none while it is not valid. */
    List<String> templateSlots() {
        try {
            return new PromptTemplate(template.get()).slots();
        } catch (ScalesException e) {
            return List.of();
        }
    }

    // Commands

    void addExample() {
        examples.add(new ExampleRow(new Example("", "")));
    }

    void removeExample(int index) {
        if (index >= 0 && index < examples.size()) {
            examples.remove(index);
        }
    }

    void duplicateExample(int index) {
        if (index >= 0 && index < examples.size()) {
            examples.add(index + 1, new ExampleRow(examples.get(index).toExample()));
        }
    }

    /** Moves the example at {@code index} by {@code delta} places; returns its new index. */
    int moveExample(int index, int delta) {
        int target = index + delta;
        if (index < 0 || index >= examples.size() || target < 0 || target >= examples.size()) {
            return index;
        }
        ExampleRow row = examples.remove(index);
        examples.add(target, row);
        return target;
    }

    /** Switches every example on, or every one off. */
    void enableAll(boolean on) {
        // one change, one re-render (not one per row)
        examples.setAll(examples.stream().map(r -> new ExampleRow(r.toExample().withEnabled(on))).toList());
    }

    // Properties

    StringProperty instructionProperty() {
        return instruction;
    }

    StringProperty templateProperty() {
        return template;
    }

    StringProperty queryProperty() {
        return query;
    }

    ObservableList<ExampleRow> examples() {
        return examples;
    }

    BooleanProperty chatFormatProperty() {
        return chatFormat;
    }

    ReadOnlyBooleanProperty chatAvailableProperty() {
        return chatAvailable.getReadOnlyProperty();
    }

    ReadOnlyStringProperty previewProperty() {
        return preview.getReadOnlyProperty();
    }

    ReadOnlyStringProperty previewInfoProperty() {
        return previewInfo.getReadOnlyProperty();
    }

    ReadOnlyStringProperty templateErrorProperty() {
        return templateError.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<FewShotPrompt> promptProperty() {
        return prompt.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty overContextProperty() {
        return overContext.getReadOnlyProperty();
    }

    ReadOnlyStringProperty runBlockedReasonProperty() {
        return runBlockedReason.getReadOnlyProperty();
    }
}
