package dev.scales.core.experiment;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.scales.core.ScalesException;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.data.LabelledData;
import dev.scales.core.device.Devices;
import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.experiment.Studies.Curve;
import dev.scales.core.experiment.Studies.Point;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.train.FineTuneRun;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs an {@link Experiment}: the 2×2 grid (base or fine-tuned, zero- or few-shot) over its seeds,
 * each test example's predictions side by side, accuracy against the number of labelled examples
 * used as shots or as training data, the cost of each method, and forgetting. The same experiment
 * on the same machine gives the same numbers (every draw is seeded).
 */
public final class ExperimentRun {
    /** The four methods of the grid, in order. */
    public static final List<String> METHODS = List.of("base, zero-shot", "base, few-shot", "fine-tuned, zero-shot",
            "fine-tuned, few-shot");

    /** One cell of the grid. */
    public record Cell(String method, boolean fineTuned, int shots, Point accuracy, Point macroF1,
                       double promptTokensPerPrediction, double secondsPerPrediction) {}

    /** One test example: what each method predicted (seed 0) and with what probability. */
    public record Output(int index, String input, String gold, List<String> predicted, List<Double> confidence) {
        public boolean correct(int method) {
            return predicted.get(method).equals(gold);
        }
    }

    /**
     * What each method costs: fine-tuning pays its training once; prompting re-reads its
     * demonstrations at every prediction. Break-even: predictions after which fine-tuning has cost
     * less, in tokens processed (a training token counted as three forward tokens: forward and
     * backward) and in measured seconds.
     */
    public record Cost(long trainingTokens, double trainingSeconds, double fewShotTokensPerPrediction,
                       double zeroShotTokensPerPrediction, double breakEvenByTokens, double breakEvenBySeconds) {}

    /** Perplexity of the held-out general text before and after fine-tuning (seed 0). */
    public record Forgetting(double basePerplexity, double fineTunedPerplexity) {
        public double risePercent() {
            return 100 * (fineTunedPerplexity / basePerplexity - 1);
        }
    }

    /** Everything a run produced, with how and where it ran. */
    public record Results(Experiment experiment, List<Cell> grid, List<Output> outputs, Curve labelledIcl,
                          Curve labelledFineTuned, Cost cost, Forgetting forgetting, String scalesVersion,
                          String engine, String device, long elapsedMillis) {}

    /**
     * What a run tells as it goes: a line for people, the share done, and each grid cell as its seeds
     * come in. Only {@link #message} is required (a lambda of a line will do).
     */
    @FunctionalInterface
    public interface Progress {
        /** What the run does now, in a line. */
        void message(String line);

        /** The share of the run's fine-tunes done, from 0 to 1: they take most of its time. */
        default void done(double fraction) {}

        /** Grid cell {@code method} (in the order of {@link #METHODS}): its accuracy over the seeds measured so far. */
        default void cell(int method, Point accuracySoFar) {}
    }

    /** A fine-tuned cell's training time and, for the first seed, its perplexity on the general text. */
    private record Tuned(double trainSeconds, double perplexity) {}

    private ExperimentRun() {}

    /**
     * Runs the experiment on {@code device}: the model is loaded once; each fine-tuned cell trains
     * LoRA adapters on it (taken off afterwards) or a full copy of its weights in memory.
     */
    public static Results run(Experiment e, Device device, Progress progress, BooleanSupplier cancelled) {
        return run(e, device, Base.AS_SAVED, progress, cancelled);
    }

    /**
     * The base model as the experiment's file names it, or changed first: a PEFT adapter merged into
     * its weights (the "base" is then the adapted model), prompts in chat format.
     *
     * @param adapter a PEFT adapter folder, or null
     * @param chat    whether prompts (and the training rows) are written by the model's chat template
     */
    public record Base(java.nio.file.Path adapter, boolean chat) {
        public static final Base AS_SAVED = new Base(null, false);
    }

    /**
     * As {@link #run(Experiment, Device, Progress, BooleanSupplier)}, on the device {@code deviceId}
     * names ({@code cpu}, {@code gpu0}…, as {@link Devices#resolve} reads it).
     */
    public static Results run(Experiment e, String deviceId, Progress progress, BooleanSupplier cancelled) {
        return run(e, Devices.resolve(deviceId, Engine.getEngine("PyTorch")), progress, cancelled);
    }

    /** As above, on {@code base}'s variant of the model. */
    public static Results run(Experiment e, Device device, Base variant, Progress progress,
                              BooleanSupplier cancelled) {
        long start = System.nanoTime();
        PromptSet read = PromptSet.read(e.promptSet());
        List<SampleTasks.Item> pool = items(e.train(), e.fields());
        List<FewShotEvaluator.TestExample> test = Lab.tests(items(e.test(), e.fields()));
        if (pool.size() < e.trainingSize()) {
            throw new ScalesException(e.train() + ": " + pool.size() + " labelled examples, but the experiment trains on "
                    + e.trainingSize());
        }
        String general = e.generalText() == null ? null : read(e.generalText());
        try (LoadedModel base = ModelLoader.load(e.model(), device)) {
            PromptSet set = promptSet(base, e, variant, read);
            Setup s = new Setup(e, base, set, pool, test, general, shotsThatFit(base, set, pool, test, e.shots()),
                    new Tally(progress, e.seeds() * (1 + e.labelled().size())));
            Measured grid = new Measured();
            for (int seed = 0; seed < e.seeds(); seed++) {
                check(cancelled);
                measureSeed(s, grid, seed, progress);
            }
            progress.message("accuracy against labelled examples");
            Curves labelled = labelledCurves(s, progress, cancelled);
            return results(s, grid, labelled, start);
        }
    }

    /** What every measurement of a run reads: the loaded base model, its prompts and data, the shots that fit. */
    private record Setup(Experiment e, LoadedModel base, PromptSet set, List<SampleTasks.Item> pool,
                         List<FewShotEvaluator.TestExample> test, String general, int shots, Tally tally) {}

    /** Counts the fine-tunes done out of the run's {@code total}, and tells. */
    private static final class Tally {
        private final Progress progress;
        private final int total;
        private int done;

        Tally(Progress progress, int total) {
            this.progress = progress;
            this.total = total;
        }

        void fineTuned() {
            done++;
            progress.done(Math.min(1, (double) done / total));
        }
    }

    /** The grid's measurements, method by method, gathered over the seeds. */
    private static final class Measured {
        final List<List<Double>> accuracy = lists(4);
        final List<List<Double>> macroF1 = lists(4);
        final double[] seconds = new double[4];
        final double[] promptTokens = new double[4];
        List<Output> outputs = new ArrayList<>();
        Cost cost;
        Forgetting forgetting;
    }

    /** Accuracy against the number of labelled examples, in context and fine-tuned. */
    private record Curves(Curve inContext, Curve fineTuned) {}

    /** The experiment's prompt set, written by the model's chat template when the experiment or {@code variant} asks. */
    private static PromptSet promptSet(LoadedModel base, Experiment e, Base variant, PromptSet read) {
        if (variant.adapter() != null) {
            dev.scales.core.model.LoraAdapters.mergeInto(base, variant.adapter());
        }
        return variant.chat() || e.chat() ? read.withChat(base.chat().orElseThrow(() -> new ScalesException(
                base.name() + " has no chat template, so the experiment cannot write its prompts in chat format")))
                : read;
    }

    /** At most {@code shots}: as many demonstrations as fit the model's context. */
    private static int shotsThatFit(LoadedModel base, PromptSet set, List<SampleTasks.Item> pool,
                                    List<FewShotEvaluator.TestExample> test, int shots) {
        while (shots > 0 && !Lab.fits(base, set, Lab.examples(Lab.draw(pool, shots, 0)), test)) {
            shots--;
        }
        return shots;
    }

    /** The four methods on one seed's draw; the first seed also measures cost, forgetting and the outputs. */
    private static void measureSeed(Setup s, Measured g, int seed, Progress progress) {
        Experiment e = s.e();
        LoadedModel base = s.base();
        progress.message("seed " + (seed + 1) + "/" + e.seeds() + ": base model");
        List<Example> demos = Lab.examples(Lab.draw(s.pool(), s.shots(), seed));
        FewShotEvaluator.Result[] r = new FewShotEvaluator.Result[4];
        r[0] = timed(g.seconds, 0, seed, () -> Lab.evaluate(base, s.set(), List.of(), s.test(), false));
        r[1] = timed(g.seconds, 1, seed, () -> Lab.evaluate(base, s.set(), demos, s.test(), false));
        progress.message("seed " + (seed + 1) + "/" + e.seeds() + ": fine-tuning on " + e.trainingSize());
        boolean first = seed == 0;
        double basePerplexity = first && s.general() != null ? Lab.perplexity(base, s.general()) : Double.NaN;
        long t0 = System.nanoTime();
        Tuned tuned = Lab.withFineTuned(base, s.set(), Lab.draw(s.pool(), e.trainingSize(), 100 + seed),
                settings(base, e, seed), (model, outcome) -> {
                    double trainSeconds = (System.nanoTime() - t0) / 1e9;
                    r[2] = timed(g.seconds, 2, seed, () -> Lab.evaluate(model, s.set(), List.of(), s.test(), false));
                    r[3] = timed(g.seconds, 3, seed, () -> Lab.evaluate(model, s.set(), demos, s.test(), false));
                    double perplexity = first && s.general() != null ? Lab.perplexity(model, s.general()) : Double.NaN;
                    return new Tuned(trainSeconds, perplexity);
                });
        s.tally().fineTuned();
        if (first) {
            g.promptTokens[0] = promptTokens(base, s.set(), List.of(), s.test());
            g.promptTokens[1] = promptTokens(base, s.set(), demos, s.test());
            g.promptTokens[2] = g.promptTokens[0];
            g.promptTokens[3] = g.promptTokens[1];
            g.cost = cost(base, s.set(), s.pool(), e, tuned.trainSeconds(), g.promptTokens, g.seconds, s.test().size());
            if (s.general() != null) {
                g.forgetting = new Forgetting(basePerplexity, tuned.perplexity());
            }
            g.outputs = outputs(s.test(), r);
        }
        for (int m = 0; m < 4; m++) {
            g.accuracy.get(m).add(r[m].metrics().accuracy());
            g.macroF1.get(m).add(r[m].metrics().macroF1());
            progress.cell(m, new Point(m % 2 == 1 ? s.shots() : 0, List.copyOf(g.accuracy.get(m))));
        }
    }

    /** For each labelled size N of the experiment: accuracy with N shots (as many as fit) and fine-tuned on N. */
    private static Curves labelledCurves(Setup s, Progress progress, BooleanSupplier cancelled) {
        List<Point> icl = new ArrayList<>();
        List<Point> ft = new ArrayList<>();
        for (int n : s.e().labelled()) {
            List<Double> a = new ArrayList<>();
            List<Double> f = new ArrayList<>();
            for (int seed = 0; seed < s.e().seeds(); seed++) {
                check(cancelled);
                List<SampleTasks.Item> items = Lab.draw(s.pool(), n, seed);
                List<Example> demos = Lab.examples(items);
                while (!demos.isEmpty() && !Lab.fits(s.base(), s.set(), demos, s.test())) {
                    demos = demos.subList(0, demos.size() - 1);
                }
                a.add(Lab.accuracy(s.base(), s.set(), demos, s.test(), false));
                f.add(Lab.fineTunedAccuracy(s.base(), s.set(), items, settings(s.base(), s.e(), seed), s.test()));
                s.tally().fineTuned();
            }
            icl.add(new Point(n, a));
            ft.add(new Point(n, f));
            progress.message("N = " + n + ": in context " + fmt(icl.get(icl.size() - 1).mean()) + ", fine-tuned "
                    + fmt(ft.get(ft.size() - 1).mean()));
        }
        return new Curves(new Curve("in context (N shots, as many as fit)", icl),
                new Curve("fine-tuned on N (" + s.e().fineTune().method() + ")", ft));
    }

    private static Results results(Setup s, Measured g, Curves labelled, long start) {
        Experiment e = s.e();
        int shots = s.shots();
        List<Cell> grid = new ArrayList<>();
        for (int m = 0; m < 4; m++) {
            grid.add(new Cell(METHODS.get(m), m >= 2, m % 2 == 1 ? shots : 0, new Point(m % 2 == 1 ? shots : 0,
                    g.accuracy.get(m)), new Point(0, g.macroF1.get(m)), g.promptTokens[m],
                    g.seconds[m] / e.seeds() / s.test().size()));
        }
        EnvironmentInfo env = EnvironmentInfo.collect();
        return new Results(e, grid, g.outputs, labelled.inContext(), labelled.fineTuned(), g.cost, g.forgetting,
                env.scalesVersion(), env.engineName() + " " + env.engineVersion(), Devices.id(s.base().device()),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** The experiment's fine-tuning settings for {@code model} and {@code seed}. */
    private static dev.scales.core.train.FineTuneSettings settings(LoadedModel model, Experiment e, long seed) {
        return Lab.settings(model, e.fineTune().lora(), e.fineTune().learningRate(), e.fineTune().steps(),
                e.fineTune().batch(), e.fineTune().rank(), seed);
    }

    private static Cost cost(LoadedModel base, PromptSet set, List<SampleTasks.Item> pool, Experiment e,
                             double trainSeconds, double[] promptTokens, double[] seconds, int testSize) {
        // Tokens a training step reads: batch × the mean length of a training example (prompt and answer).
        double perExample = pool.stream().limit(64).mapToInt(i -> base.tokenizer().encode(
                set.prompt(List.of(), i.input()).render() + set.prompt(List.of(), i.input()).answer(i.label()), true)
                .length)
                .average().orElse(0);
        long trainingTokens = Math.round(perExample * e.fineTune().batch() * e.fineTune().steps());
        double extraTokens = promptTokens[1] - promptTokens[0];
        double extraSeconds = (seconds[1] - seconds[0]) / testSize; // seed 0 so far
        return new Cost(trainingTokens, trainSeconds, promptTokens[1], promptTokens[0],
                extraTokens > 0 ? 3.0 * trainingTokens / extraTokens : Double.POSITIVE_INFINITY,
                extraSeconds > 0 ? trainSeconds / extraSeconds : Double.POSITIVE_INFINITY);
    }

    /** Mean prompt length in tokens (demonstrations and query) of a prediction. */
    private static double promptTokens(LoadedModel m, PromptSet set, List<Example> demos,
                                       List<FewShotEvaluator.TestExample> test) {
        return test.stream().mapToInt(t -> m.tokenizer().encode(set.prompt(demos, t.input()).render(), true).length)
                .average().orElse(0);
    }

    private static List<Output> outputs(List<FewShotEvaluator.TestExample> test, FewShotEvaluator.Result[] r) {
        List<Output> out = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            List<String> predicted = new ArrayList<>();
            List<Double> confidence = new ArrayList<>();
            for (FewShotEvaluator.Result result : r) {
                FewShotEvaluator.Prediction p = result.predictions().get(i);
                predicted.add(p.predicted());
                confidence.add(java.util.Arrays.stream(p.probabilities()).max().orElse(Double.NaN));
            }
            out.add(new Output(i, test.get(i).input(), test.get(i).label(), predicted, confidence));
        }
        return out;
    }

    private static FewShotEvaluator.Result timed(double[] seconds, int method, int seed,
                                                 java.util.function.Supplier<FewShotEvaluator.Result> run) {
        long t0 = System.nanoTime();
        FewShotEvaluator.Result r = run.get();
        seconds[method] += (System.nanoTime() - t0) / 1e9;
        return r;
    }

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

    private static String read(java.nio.file.Path file) {
        try {
            return Files.readString(file);
        } catch (IOException ex) {
            throw new ScalesException(file + ": cannot read (" + ex.getMessage() + ")", ex);
        }
    }

    private static List<List<Double>> lists(int n) {
        List<List<Double>> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(new ArrayList<>());
        }
        return l;
    }

    private static void check(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new java.util.concurrent.CancellationException("the experiment was cancelled");
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    /** The grid as a map from method to mean accuracy (for messages and tests). */
    public static Map<String, Double> accuracies(Results r) {
        Map<String, Double> m = new LinkedHashMap<>();
        r.grid().forEach(c -> m.put(c.method(), c.accuracy().mean()));
        return m;
    }
}
