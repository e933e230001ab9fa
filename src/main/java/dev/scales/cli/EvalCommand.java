package dev.scales.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.data.LabelledData;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.eval.FreeTextEvaluator;
import dev.scales.core.eval.ShotSweep;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Demonstrations;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scales eval}: the prompt pane's evaluation and shot sweep, headless. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a few-shot prompt set on a labelled test set, or sweep the number of shots.")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--prompt-set", required = true, description = "Prompt set JSON (instruction, template, labels, examples).")
    Path promptSet;

    @Option(names = "--test", required = true, description = "Test set: JSONL or CSV with input and label fields.")
    Path test;

    @Mixin
    FieldOptions fieldOptions;

    @Option(names = "--shots", description = "Use k demonstrations (default: the prompt set's enabled examples as listed).")
    Integer shots;

    @Option(names = "--sweep", split = ",", description = "Accuracy for each k, e.g. 0,1,2,4,8,16.")
    List<Integer> sweep;

    @Option(names = "--seeds", defaultValue = "5", description = "Draws of demonstrations per k in a sweep.")
    int seeds;

    @Option(names = "--choice", defaultValue = "balanced", description = "first, random or balanced (default: ${DEFAULT-VALUE}).")
    Demonstrations.Choice choice;

    @Option(names = "--variants", split = ",", description = "Sweep series: gold, random-labels, calibrated "
            + "(default: gold, or the one --random-labels / --calibrate ask for).")
    List<String> variants;

    @Option(names = "--free-text", description = "The answers are free text, not labels: generate each answer "
            + "greedily and report exact and contains matches.") boolean freeText;
    @Option(names = "--max-tokens", defaultValue = "16", description = "Longest free-text answer, in tokens "
            + "(default: ${DEFAULT-VALUE}).") int maxTokens;

    @Option(names = "--calibrate", description = "Contextual calibration (Zhao et al. 2021).") boolean calibrate;
    @Option(names = "--random-labels", description = "Demonstrations with random labels (Min et al. 2022).") boolean randomLabels;
    @Option(names = "--per-token", description = "Normalise label log-probabilities per token.") boolean perToken;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the demonstrations' draw with --shots, and "
            + "of their random labels (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--json", description = "One JSON object on stdout.") boolean json;

    @Mixin
    ChatOptions chatOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PromptSet read = PromptSet.read(promptSet);
        if (freeText && sweep != null) {
            throw new ScalesException("--sweep scores labels; it does not combine with --free-text");
        }
        if (!freeText && read.labels() == null) {
            throw new ScalesException(promptSet + ": needs \"labels\" (label → verbalizer) to evaluate by label scoring");
        }
        List<FewShotEvaluator.TestExample> examples = testExamples();
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel model = adapterOptions.apply(modelOptions.load())) {
            PromptSet set = read.withChat(chatOptions.template(model));
            JsonObject o = header(model, set, examples.size());
            if (freeText) {
                evaluateFreeText(model, set, examples, o, out);
            } else if (sweep != null) {
                sweep(model, set, examples, o, out);
            } else {
                evaluateLabels(model, set, examples, o, out);
            }
            if (json) {
                out.println(Json.toJson(o));
            }
        }
        out.flush();
        return 0;
    }

    /** The test set's usable rows; the others are named on stderr. */
    private List<FewShotEvaluator.TestExample> testExamples() {
        LabelledData.Result data = LabelledData.read(test, fieldOptions.fields());
        PrintWriter err = spec.commandLine().getErr();
        data.problems().forEach(p -> err.println("skipped " + p));
        List<FewShotEvaluator.TestExample> examples = data.rows().stream()
                .map(r -> new FewShotEvaluator.TestExample(r.input(), r.label())).toList();
        if (examples.isEmpty()) {
            throw new ScalesException(test + ": no usable test examples");
        }
        return examples;
    }

    /** What every JSON result starts with: the model, the files and the prompt's options. */
    private JsonObject header(LoadedModel model, PromptSet set, int examples) {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.folder().toString());
        o.addProperty("promptSet", promptSet.toString());
        o.addProperty("test", test.toString());
        o.addProperty("examples", examples);
        o.addProperty("calibrate", calibrate);
        o.addProperty("randomLabels", randomLabels);
        o.addProperty("chat", set.chat() != null);
        return o;
    }

    /** The demonstrations: the enabled examples as listed, or {@code --shots} of them drawn by {@code choice}. */
    private List<Example> demonstrations(PromptSet set, Demonstrations.Choice choice) {
        return shots == null ? set.examples().stream().filter(Example::enabled).toList()
                : Demonstrations.choose(set.examples(), shots, choice, true, seed, null);
    }

    private void evaluateFreeText(LoadedModel model, PromptSet set, List<FewShotEvaluator.TestExample> examples,
                                  JsonObject o, PrintWriter out) {
        // free text has no classes to balance
        List<Example> demos = demonstrations(set, choice == Demonstrations.Choice.BALANCED
                ? Demonstrations.Choice.FIRST : choice);
        FreeTextEvaluator.Result r = FreeTextEvaluator.evaluate(model, set.prompt(demos, ""), examples, maxTokens,
                i -> { }, () -> false);
        o.addProperty("shots", demos.size());
        o.addProperty("exactMatch", r.exactMatch());
        o.addProperty("containsMatch", r.containsMatch());
        JsonArray preds = new JsonArray();
        for (FreeTextEvaluator.Prediction p : r.predictions()) {
            JsonObject j = new JsonObject();
            j.addProperty("input", p.input());
            j.addProperty("expected", p.expected());
            j.addProperty("answer", p.answer());
            j.addProperty("exact", p.exact());
            j.addProperty("contains", p.contains());
            preds.add(j);
        }
        o.add("predictions", preds);
        if (!json) {
            out.printf(Locale.ROOT, "%d-shot · exact match %.3f · contains %.3f on %d examples%n", demos.size(),
                    r.exactMatch(), r.containsMatch(), r.count());
        }
    }

    private void sweep(LoadedModel model, PromptSet set, List<FewShotEvaluator.TestExample> examples, JsonObject o,
                       PrintWriter out) {
        List<ShotSweep.Variant> series = variants != null
                ? variants.stream().map(ShotSweep.Variant::parse).toList()
                : List.of(randomLabels ? ShotSweep.Variant.RANDOM_LABELS
                        : calibrate ? ShotSweep.Variant.CALIBRATED : ShotSweep.Variant.GOLD);
        PrintWriter err = spec.commandLine().getErr();
        ShotSweep.Result r = ShotSweep.run(model, set, examples,
                new ShotSweep.Settings(sweep, seeds, choice, series, options()),
                p -> err.printf(Locale.ROOT, "%s k=%d  accuracy %.3f ± %.3f%n", p.variant().label, p.k(),
                        p.mean(), p.std()),
                () -> false);
        JsonArray points = new JsonArray();
        for (ShotSweep.Point p : r.points()) {
            JsonObject j = new JsonObject();
            j.addProperty("variant", p.variant().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            j.addProperty("k", p.k());
            j.addProperty("mean", p.mean());
            j.addProperty("std", p.std());
            JsonArray acc = new JsonArray();
            p.accuracies().forEach(acc::add);
            j.add("accuracies", acc);
            points.add(j);
        }
        o.add("sweep", points);
        o.addProperty("note", r.note());
        if (!json) {
            out.println("series          k      accuracy (mean ± std over seeds)");
            r.points().forEach(p -> out.printf(Locale.ROOT, "%-15s %-6d %.3f ± %.3f%n", p.variant().label,
                    p.k(), p.mean(), p.std()));
            if (!r.note().isEmpty()) {
                out.println(r.note());
            }
        }
    }

    private void evaluateLabels(LoadedModel model, PromptSet set, List<FewShotEvaluator.TestExample> examples,
                                JsonObject o, PrintWriter out) {
        List<Example> demos = demonstrations(set, choice);
        if (randomLabels) {
            demos = Demonstrations.withRandomLabels(demos, set.labels().labels(), seed);
        }
        var r = FewShotEvaluator.evaluate(model, set.prompt(demos, ""), set.labels(), examples, options(),
                i -> { }, () -> false);
        o.addProperty("shots", demos.size());
        o.addProperty("accuracy", r.metrics().accuracy());
        o.addProperty("macroF1", r.metrics().macroF1());
        JsonArray labels = new JsonArray();
        set.labels().labels().forEach(labels::add);
        o.add("labels", labels);
        o.add("confusion", Json.GSON.toJsonTree(r.metrics().confusion()));
        JsonArray preds = new JsonArray();
        for (FewShotEvaluator.Prediction p : r.predictions()) {
            JsonObject j = new JsonObject();
            j.addProperty("input", p.input());
            j.addProperty("gold", p.gold());
            j.addProperty("predicted", p.predicted());
            j.add("probabilities", Json.GSON.toJsonTree(p.probabilities()));
            preds.add(j);
        }
        o.add("predictions", preds);
        if (!json) {
            out.printf(Locale.ROOT, "%d-shot · accuracy %.3f · macro-F1 %.3f on %d examples%n", demos.size(),
                    r.metrics().accuracy(), r.metrics().macroF1(), r.metrics().count());
            out.println("confusion (rows gold, columns predicted): " + set.labels().labels());
            for (int[] row : r.metrics().confusion()) {
                out.println("  " + java.util.Arrays.toString(row));
            }
        }
    }

    private FewShotEvaluator.Options options() {
        return new FewShotEvaluator.Options(calibrate, perToken, true);
    }
}
