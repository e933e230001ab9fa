package dev.scales.ui.finetune;

import dev.scales.core.model.LoraConfig;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.train.FineTuneSettings.Setting;
import dev.scales.ui.common.PropertyItem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.controlsfx.control.PropertySheet;

/**
 * The fine-tuning settings as typed, one text per setting, starting from
 * {@link FineTuneSettings#DEFAULT}: read into settings, the first bad value named and flagged on
 * its own field (found by the setting the error names, not by its words).
 */
final class SettingsForm {
    private static final FineTuneSettings DEFAULT = FineTuneSettings.DEFAULT;

    /** A typed setting: the name the pane shows it by and the setting of core's it sets. */
    private record Field(String name, Setting setting) {}

    private final ObjectProperty<FineTuneViewModel.Method> method = new SimpleObjectProperty<>(this, "method",
            DEFAULT.isLora() ? FineTuneViewModel.Method.LORA : FineTuneViewModel.Method.FULL);
    private final ObjectProperty<Boolean> cosine = new SimpleObjectProperty<>(this, "cosine", DEFAULT.cosine());
    /** Each typed setting's text and what it is, in the order the pane lists them. */
    private final Map<StringProperty, Field> fields = new LinkedHashMap<>();
    private final StringProperty learningRate = text("learning rate", Setting.LEARNING_RATE, DEFAULT.learningRate());
    private final StringProperty steps = text("steps", Setting.MAX_STEPS, DEFAULT.maxSteps());
    private final StringProperty batchSize = text("batch", Setting.BATCH_SIZE, DEFAULT.batchSize());
    private final StringProperty loraRank = text("LoRA rank", Setting.LORA_RANK, DEFAULT.lora().rank());
    private final StringProperty warmup = text("warm-up", Setting.WARMUP, DEFAULT.warmupFraction());
    private final StringProperty weightDecay = text("weight decay", Setting.WEIGHT_DECAY, DEFAULT.weightDecay());
    private final StringProperty clip = text("gradient clipping", Setting.MAX_GRAD_NORM, DEFAULT.maxGradNorm());
    private final StringProperty accumulation = text("accumulation", Setting.ACCUMULATION, DEFAULT.accumulation());
    private final StringProperty logEvery = text("report every", Setting.LOG_EVERY, DEFAULT.logEvery());
    private final StringProperty seed = text("seed", Setting.SEED, DEFAULT.seed());
    private final StringProperty evalEvery = text("evaluate every", Setting.EVAL_EVERY, DEFAULT.evalEvery());
    private final StringProperty validationShare = text("validation share", Setting.VALIDATION_FRACTION,
            DEFAULT.validationFraction());
    private final StringProperty patience = text("patience", Setting.PATIENCE, DEFAULT.patience());
    /** Empty: alpha = rank, as in {@link FineTuneSettings#DEFAULT}. */
    private final StringProperty loraAlpha = text("LoRA alpha", Setting.LORA_ALPHA, "");
    private final StringProperty loraDropout = text("LoRA dropout", Setting.LORA_DROPOUT, DEFAULT.lora().dropout());
    /** Empty: the loaded model's family's targets. */
    private final StringProperty loraTargets = text("LoRA targets", Setting.LORA_TARGETS, "");
    private final Supplier<List<String>> defaultTargets;
    /** What is wrong with the settings as typed, or null. */
    private final ObjectBinding<FineTuneSettings.Invalid> problem;
    private final StringBinding error;

    /** @param defaultTargets the LoRA targets of the loaded model when none are typed */
    SettingsForm(Supplier<List<String>> defaultTargets) {
        this.defaultTargets = defaultTargets;
        List<Observable> typed = new ArrayList<>(fields.keySet());
        typed.add(method);
        typed.add(cosine);
        problem = Bindings.createObjectBinding(() -> {
            try {
                read();
                return null;
            } catch (FineTuneSettings.Invalid e) {
                return e;
            }
        }, typed.toArray(Observable[]::new));
        error = Bindings.createStringBinding(() -> problem.get() == null ? "" : problem.get().getMessage(), problem);
    }

    private StringProperty text(String name, Setting setting, Object initial) {
        StringProperty p = new SimpleStringProperty(this, name, String.valueOf(initial));
        fields.put(p, new Field(name, setting));
        return p;
    }

    /** The settings as typed; throws naming the first bad value. */
    FineTuneSettings read() {
        LoraConfig lora = null;
        if (method.get() == FineTuneViewModel.Method.LORA) {
            int rank = integer(loraRank);
            List<String> targets = loraTargets.get().isBlank() ? defaultTargets.get()
                    : Arrays.stream(loraTargets.get().split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
            lora = FineTuneSettings.lora(rank, loraAlpha.get().isBlank() ? rank : (float) number(loraAlpha),
                    (float) number(loraDropout), targets);
        }
        return new FineTuneSettings(lora, (float) number(learningRate), DEFAULT.epochs(), integer(steps),
                integer(batchSize), (float) number(warmup), Boolean.TRUE.equals(cosine.get()), (float) number(weightDecay),
                (float) number(clip), integer(seed), integer(evalEvery), number(validationShare), integer(patience),
                integer(accumulation), integer(logEvery));
    }

    private double number(StringProperty p) {
        try {
            return Double.parseDouble(p.get().trim());
        } catch (NumberFormatException e) {
            throw unreadable(p, "a number");
        }
    }

    private int integer(StringProperty p) {
        try {
            return Integer.parseInt(p.get().trim());
        } catch (NumberFormatException e) {
            throw unreadable(p, "a whole number");
        }
    }

    private FineTuneSettings.Invalid unreadable(StringProperty p, String what) {
        Field f = fields.get(p);
        return new FineTuneSettings.Invalid(f.setting(), f.name() + " must be " + what + ", got \"" + p.get().trim() + "\"");
    }

    /** The first bad value's message ("" when the settings are fine). */
    StringBinding error() {
        return error;
    }

    /** What is wrong with the setting typed into {@code p} ("" when nothing): flagged beside its field. */
    StringBinding errorOf(StringProperty p) {
        Setting setting = fields.get(p).setting();
        return Bindings.createStringBinding(() -> problem.get() != null && problem.get().setting() == setting
                ? problem.get().getMessage() : "", problem);
    }

    /**
     * The settings beyond the four on the pane's first row, as PropertySheet rows (schedule,
     * regularisation, evaluation, LoRA), each flagged in place when its value is wrong.
     */
    List<PropertySheet.Item> moreSettings() {
        String run = "Schedule and regularisation";
        String eval = "Validation";
        String adapters = "LoRA";
        return List.of(
                item(run, warmup, "Share of the steps the learning rate warms up over, from 0"),
                new PropertyItem<>(Boolean.class, run, "cosine decay",
                        "After warm-up the learning rate follows a cosine down to 0 (off: it stays constant)", cosine),
                item(run, weightDecay, "AdamW's decoupled weight decay (not on biases and norms)"),
                item(run, clip, "Largest gradient norm; larger gradients are scaled down (0: off)"),
                item(run, accumulation, "Micro-batches summed per optimizer step (a larger batch in the same memory)"),
                item(run, seed, "Same seed, same split, order and curve"),
                item(run, logEvery, "Steps per point of the training-loss curve (their mean): the loss stays on the "
                        + "GPU in between, which spares a synchronisation per step"),
                item(eval, validationShare, "Share of the dataset held out for validation loss and accuracy"),
                item(eval, evalEvery, "Steps between evaluations on the validation set"),
                item(eval, patience, "Stop after this many evaluations without a better validation loss (0: off)"),
                item(adapters, loraAlpha, "The adapters' update is scaled by alpha / rank (empty: alpha = rank, PEFT's default)"),
                item(adapters, loraDropout, "Dropout on the adapters' input while training"),
                item(adapters, loraTargets, "Comma-separated module names (empty: every linear layer of a block)"));
    }

    private PropertyItem<String> item(String category, StringProperty p, String description) {
        return new PropertyItem<>(String.class, category, fields.get(p).name(), description, p, errorOf(p));
    }

    ObjectProperty<FineTuneViewModel.Method> method() {
        return method;
    }

    StringProperty learningRate() {
        return learningRate;
    }

    StringProperty steps() {
        return steps;
    }

    StringProperty batchSize() {
        return batchSize;
    }

    StringProperty loraRank() {
        return loraRank;
    }
}
