package dev.scales.core.experiment;

import dev.scales.core.ScalesException;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.data.LabelledData;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.generate.Scorer;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.train.FineTuneRun;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.train.TrainingExample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The measurements the studies are made of: a prompt's accuracy on a test set, a fine-tuning run
 * on labelled items written through the prompt set's template, and perplexity on general text.
 */
public final class Lab {
    private Lab() {}

    /** The labelled rows of {@code file} as items; malformed rows refuse the whole file, the first one named. */
    static List<SampleTasks.Item> items(java.nio.file.Path file) {
        return items(file, LabelledData.Fields.DEFAULT);
    }

    static List<SampleTasks.Item> items(java.nio.file.Path file, LabelledData.Fields fields) {
        LabelledData.Result r = LabelledData.read(file, fields);
        if (!r.problems().isEmpty()) {
            throw new ScalesException(r.problems().size() + " malformed row(s); first: " + r.problems().get(0));
        }
        return r.rows().stream().map(row -> new SampleTasks.Item(row.input(), row.label())).toList();
    }

    /** The text of {@code file}. */
    static String text(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException ex) {
            throw new ScalesException(file + ": cannot read (" + ex.getMessage() + ")", ex);
        }
    }

    public static List<FewShotEvaluator.TestExample> tests(List<SampleTasks.Item> items) {
        return items.stream().map(i -> new FewShotEvaluator.TestExample(i.input(), i.label())).toList();
    }

    public static List<Example> examples(List<SampleTasks.Item> items) {
        return items.stream().map(i -> new Example(i.input(), i.label())).toList();
    }

    /** {@code k} items of {@code pool} drawn with {@code seed}: balanced over labels where k allows, shuffled. */
    public static List<SampleTasks.Item> draw(List<SampleTasks.Item> pool, int k, long seed) {
        List<SampleTasks.Item> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, new Random(seed));
        List<String> labels = shuffled.stream().map(SampleTasks.Item::label).distinct().sorted().toList();
        List<SampleTasks.Item> out = new ArrayList<>();
        // Round-robin over labels so every label is represented as soon as k allows.
        for (int round = 0; out.size() < Math.min(k, pool.size()); round++) {
            for (String label : labels) {
                List<SampleTasks.Item> of = shuffled.stream().filter(i -> i.label().equals(label)).toList();
                if (round < of.size() && out.size() < k) {
                    out.add(of.get(round));
                }
            }
        }
        Collections.shuffle(out, new Random(seed + 1));
        return out;
    }

    /** Accuracy of the prompt set with {@code demos} as demonstrations, scoring its labels. */
    public static double accuracy(LoadedModel model, PromptSet set, List<Example> demos,
                                  List<FewShotEvaluator.TestExample> test, boolean calibrate) {
        return evaluate(model, set, demos, test, calibrate).metrics().accuracy();
    }

    /** The whole evaluation: metrics and every prediction. */
    public static FewShotEvaluator.Result evaluate(LoadedModel model, PromptSet set, List<Example> demos,
                                                   List<FewShotEvaluator.TestExample> test, boolean calibrate) {
        return FewShotEvaluator.evaluate(model, set.prompt(demos, ""), set.labels(), test,
                new FewShotEvaluator.Options(calibrate, false, true), i -> { }, () -> false);
    }

    /** Whether every test query fits the model's context after {@code demos} (with room for the answer). */
    public static boolean fits(LoadedModel model, PromptSet set, List<Example> demos,
                               List<FewShotEvaluator.TestExample> test) {
        return FewShotEvaluator.fits(model, set.prompt(demos, ""), set.labels(), test);
    }

    /**
     * The most of {@code demos}, from the first, after which every test query fits the model's
     * context; empty when not even the query alone fits. A prompt only grows with its
     * demonstrations, so the count is found by halving (a few prompts tokenized, not one a count).
     */
    public static List<Example> fitting(LoadedModel model, PromptSet set, List<Example> demos,
                                        List<FewShotEvaluator.TestExample> test) {
        if (fits(model, set, demos, test)) {
            return demos;
        }
        int fit = 0; // the most known to fit, or none
        int over = demos.size(); // the fewest known not to
        while (over - fit > 1) {
            int mid = (fit + over) >>> 1;
            if (fits(model, set, demos.subList(0, mid), test)) {
                fit = mid;
            } else {
                over = mid;
            }
        }
        return demos.subList(0, fit);
    }

    /**
     * Fine-tuning settings for a study: {@link FineTuneSettings#DEFAULT}'s schedule (a short warm-up
     * then a cosine decay, clipping at 1) with the study's own learning rate, steps, batch, rank and
     * seed, and nothing that would blur a comparison of many runs: no validation split (every labelled
     * example trains, as the curve over N counts them), no weight decay and no adapter dropout. LoRA
     * of rank {@code rank} with alpha = rank (PEFT's default: the update at scale 1) on the family's
     * default targets, every linear layer (docs/decisions/0009).
     */
    public static FineTuneSettings settings(LoadedModel model, boolean lora, float lr, int steps, int batch, int rank,
                                            long seed) {
        LoraConfig config = lora ? new LoraConfig(rank, rank, 0,
                LoraConfig.defaultTargets(model.config().architecture())) : null;
        FineTuneSettings d = FineTuneSettings.DEFAULT;
        return new FineTuneSettings(config, lr, 1, steps, batch, d.warmupFraction(), d.cosine(), 0f, d.maxGradNorm(),
                seed, Integer.MAX_VALUE, 0);
    }

    /**
     * Fine-tunes {@code model} on {@code items} written as the prompt set writes a query and its answer
     * (the loss on the answer). LoRA adapters stay attached: close the outcome's adapters to detach them.
     */
    public static FineTuneRun.Outcome fineTune(LoadedModel model, PromptSet set, List<SampleTasks.Item> items,
                                               FineTuneSettings s) {
        return fineTune(model, set, items, s, e -> { }, () -> false);
    }

    /** As above, reporting each step and evaluation to {@code listener}; {@code stop} ends it between steps. */
    public static FineTuneRun.Outcome fineTune(LoadedModel model, PromptSet set, List<SampleTasks.Item> items,
                                               FineTuneSettings s,
                                               java.util.function.Consumer<dev.scales.core.train.TrainingEvent> listener,
                                               java.util.function.BooleanSupplier stop) {
        List<TrainingExample> examples = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            FewShotPrompt prompt = set.prompt(List.of(), items.get(i).input());
            String written = prompt.answer(set.labels().verbalizers().get(items.get(i).label()));
            examples.add(new TrainingExample(i + 1, prompt.render(), written + prompt.answerTerminator(),
                    new TrainingExample.Label(items.get(i).label(), written)));
        }
        return FineTuneRun.run(model, examples, s, listener, stop);
    }

    /**
     * Zero-shot test accuracy after fine-tuning a fresh copy of the model in {@code folder} on
     * {@code items}; the copy (and its adapters) is closed afterwards.
     */
    public static double fineTunedAccuracy(java.nio.file.Path folder, PromptSet set, List<SampleTasks.Item> items,
                                           java.util.function.Function<LoadedModel, FineTuneSettings> settings,
                                           List<FewShotEvaluator.TestExample> test) {
        try (LoadedModel m = dev.scales.core.model.ModelLoader.load(folder, ai.djl.Device.cpu())) {
            return fineTunedAccuracy(m, set, items, settings.apply(m), test);
        }
    }

    /** Zero-shot test accuracy after fine-tuning on {@code items}, leaving {@code base} as it was. */
    public static double fineTunedAccuracy(LoadedModel base, PromptSet set, List<SampleTasks.Item> items,
                                           FineTuneSettings settings, List<FewShotEvaluator.TestExample> test) {
        return withFineTuned(base, set, items, settings, (tuned, outcome) -> accuracy(tuned, set, List.of(), test, false));
    }

    /**
     * What {@code use} computes on {@code base} fine-tuned on {@code items}, leaving {@code base} as it
     * was and reading nothing from disk: a LoRA run trains adapters on {@code base} itself and takes
     * them off afterwards; a full run trains an in-memory copy of its weights, freed afterwards.
     */
    public static <T> T withFineTuned(LoadedModel base, PromptSet set, List<SampleTasks.Item> items,
                                      FineTuneSettings settings,
                                      java.util.function.BiFunction<LoadedModel, FineTuneRun.Outcome, T> use) {
        LoadedModel tuned = settings.lora() != null ? base : dev.scales.core.model.ModelLoader.copyOf(base);
        try {
            FineTuneRun.Outcome o = fineTune(tuned, set, items, settings);
            try {
                return use.apply(tuned, o);
            } finally {
                if (o.adapters() != null) {
                    o.adapters().close();
                }
            }
        } finally {
            if (tuned != base) {
                tuned.close();
            }
        }
    }

    /** Perplexity of {@code text} with windows of the model's context, moved by half a context. */
    public static double perplexity(LoadedModel model, String text) {
        long[] ids = model.tokenizer().encode(text, false);
        int window = model.contextLength();
        return Scorer.perplexity(model, ids, window, window / 2).perplexity();
    }
}
