package dev.scales.ui.prompt;

import dev.scales.core.ScalesException;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.ui.common.PropertyItem;
import java.util.List;
import java.util.Objects;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import org.controlsfx.control.PropertySheet;

/**
 * The prompt pane's sampling settings: {@link GenerationSettings#DEFAULT} at first, then the
 * loaded model's {@code generation_config.json} values unless the user changed them.
 */
final class SamplingControls {
    /** The stop the pane starts with: the end of an answer as the prompt's template writes it. */
    static final String END_OF_ANSWER = "(end of the answer)";
    private static final GenerationSettings D = GenerationSettings.DEFAULT;

    private final ObjectProperty<Integer> maxTokens = new SimpleObjectProperty<>(D.maxNewTokens());
    private final ObjectProperty<Double> temperature = new SimpleObjectProperty<>(D.temperature());
    private final ObjectProperty<Integer> topK = new SimpleObjectProperty<>(D.topK());
    private final ObjectProperty<Double> topP = new SimpleObjectProperty<>(D.topP());
    private final ObjectProperty<Double> repetitionPenalty = new SimpleObjectProperty<>(D.repetitionPenalty());
    private final ObjectProperty<Integer> seed = new SimpleObjectProperty<>((int) D.seed());
    private final ObjectProperty<String> stopSequence = new SimpleObjectProperty<>(END_OF_ANSWER);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "samplingError", "");
    /** The sampling defaults last taken from a model: replaced by the next model's unless the user changed them. */
    private GenerationSettings defaults = D;

    /** The model's generation_config.json values become the settings, unless the user changed the last ones. */
    void takeDefaults(LoadedModel m) {
        GenerationSettings d = GenerationSettings.of(m.generationDefaults(), defaults.maxNewTokens());
        GenerationSettings old = defaults;
        if (Objects.equals(temperature.get(), old.temperature()) && Objects.equals(topK.get(), old.topK())
                && Objects.equals(topP.get(), old.topP())
                && Objects.equals(repetitionPenalty.get(), old.repetitionPenalty())) {
            temperature.set(d.temperature());
            topK.set(d.topK());
            topP.set(d.topP());
            repetitionPenalty.set(d.repetitionPenalty());
        }
        defaults = d;
    }

    /**
     * The sampling settings as set in the pane; the default stop is the end of an answer (the
     * template's text after {output}, or a newline).
     */
    GenerationSettings settings(FewShotPrompt p) {
        String stop = stopSequence.get() == null ? "" : stopSequence.get();
        List<String> stops;
        if (stop.equals(END_OF_ANSWER) && p == null) {
            stops = List.of();
        } else if (stop.equals(END_OF_ANSWER)) {
            String terminator = p.answerTerminator();
            stops = terminator.isBlank() ? (terminator.isEmpty() ? List.of() : List.of("\n"))
                    : List.of(p.isChat() ? terminator.strip() : terminator);
        } else {
            stops = stop.isEmpty() ? List.of() : List.of(stop.replace("\\n", "\n"));
        }
        return new GenerationSettings(maxTokens(), value(temperature, D.temperature()), value(topK, D.topK()),
                value(topP, D.topP()), value(repetitionPenalty, D.repetitionPenalty()), value(seed, (int) D.seed()),
                stops, true);
    }

    /** The settings for {@code p}, or null after showing why they are not valid. */
    GenerationSettings validSettings(FewShotPrompt p) {
        try {
            GenerationSettings s = settings(p);
            error.set("");
            return s;
        } catch (ScalesException e) {
            error.set(e.getMessage());
            return null;
        }
    }

    /** The most tokens an answer may take, as set. */
    int maxTokens() {
        return value(maxTokens, D.maxNewTokens());
    }

    private static <T> T value(ObjectProperty<T> p, T fallback) {
        return p.get() == null ? fallback : p.get();
    }

    /** Rows of the sampling settings sheet. */
    List<PropertySheet.Item> items() {
        String c = "Sampling";
        return List.of(
                new PropertyItem<>(Integer.class, c, "Max tokens", "At most this many new tokens", maxTokens),
                new PropertyItem<>(Double.class, c, "Temperature", "0 is greedy; higher samples more freely",
                        temperature),
                new PropertyItem<>(Integer.class, c, "Top-k", "Sample among the k most likely tokens (0: all)", topK),
                new PropertyItem<>(Double.class, c, "Top-p", "Sample within this probability mass (1: all)", topP),
                new PropertyItem<>(Double.class, c, "Repetition penalty", "Penalise tokens already seen (1: none)",
                        repetitionPenalty),
                new PropertyItem<>(Integer.class, c, "Seed", "Same seed, same text", seed),
                new PropertyItem<>(String.class, c, "Stop at", "Text that ends generation; \\n for a newline, empty "
                        + "for none", stopSequence));
    }

    ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    ObjectProperty<Double> temperatureProperty() {
        return temperature;
    }
}
