package dev.scales.core.experiment;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.scales.core.ScalesException;
import dev.scales.core.corpus.SampleTasks;
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

    /** One cell of the grid; its seconds per prediction are the first seed's, measured with the device to itself. */
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

    /** As above, on {@code base}'s variant of the model, with as many cells side by side as suit the model. */
    public static Results run(Experiment e, Device device, Base variant, Progress progress,
                              BooleanSupplier cancelled) {
        return run(e, device, variant, 0, progress, cancelled);
    }

    /**
     * As above, with {@code workers} cells side by side after the first seed ({@code 0}: as many as
     * the CPU has cores for a small model, else one). The first seed runs alone, so the seconds it
     * measures are the cost of each method with the device to itself.
     */
    public static Results run(Experiment e, Device device, Base variant, int workers, Progress progress,
                              BooleanSupplier cancelled) {
        long start = System.nanoTime();
        PromptSet read = PromptSet.read(e.promptSet());
        List<SampleTasks.Item> pool = Lab.items(e.train(), e.fields());
        List<FewShotEvaluator.TestExample> test = Lab.tests(Lab.items(e.test(), e.fields()));
        if (pool.size() < e.trainingSize()) {
            throw new ScalesException(e.train() + ": " + pool.size() + " labelled examples, but the experiment trains on "
                    + e.trainingSize());
        }
        String general = e.generalText() == null ? null : Lab.text(e.generalText());
        try (LoadedModel base = ModelLoader.load(e.model(), device)) {
            PromptSet set = promptSet(base, e, variant, read);
            Setup s = new Setup(e, base, set, pool, test, general, shotsThatFit(base, set, pool, test, e.shots()),
                    new Tally(progress, e.seeds() * (1 + e.labelled().size())), progress);
            Measured grid = new Measured();
            SideBySide.check(cancelled);
            firstSeed(s, grid);
            Curves labelled;
            try (SideBySide cells = SideBySide.open(base, workers, e.seeds() - 1 + e.seeds() * e.labelled().size())) {
                progress.message((e.seeds() > 1 ? "the other seeds and accuracy" : "accuracy")
                        + " against labelled examples" + (cells.workers() > 1 ? ", " + cells.workers()
                        + " cells side by side" : ""));
                labelled = otherCells(s, grid, cells, cancelled);
            }
            return results(s, grid, labelled, start);
        }
    }

    /** What every measurement of a run reads: the loaded base model, its prompts and data, the shots that fit. */
    private record Setup(Experiment e, LoadedModel base, PromptSet set, List<SampleTasks.Item> pool,
                         List<FewShotEvaluator.TestExample> test, String general, int shots, Tally tally,
                         Progress progress) {}

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

    /**
     * The four methods on the first seed's draw, timed, with the device to itself: also the cost,
     * forgetting and each test example's outputs.
     */
    private static void firstSeed(Setup s, Measured g) {
        Experiment e = s.e();
        Progress progress = s.progress();
        LoadedModel base = s.base();
        progress.message("seed 1/" + e.seeds() + ": base model");
        List<Example> demos = Lab.examples(Lab.draw(s.pool(), s.shots(), 0));
        // Untimed first passes, so the seconds measured are not those of compiling the forward.
        List<FewShotEvaluator.TestExample> few = s.test().subList(0, Math.min(8, s.test().size()));
        Lab.evaluate(base, s.set(), List.of(), few, false);
        Lab.evaluate(base, s.set(), demos, few, false);
        FewShotEvaluator.Result[] r = new FewShotEvaluator.Result[4];
        r[0] = timed(g.seconds, 0, () -> Lab.evaluate(base, s.set(), List.of(), s.test(), false));
        r[1] = timed(g.seconds, 1, () -> Lab.evaluate(base, s.set(), demos, s.test(), false));
        progress.message("seed 1/" + e.seeds() + ": fine-tuning on " + e.trainingSize());
        double basePerplexity = s.general() != null ? Lab.perplexity(base, s.general()) : Double.NaN;
        long t0 = System.nanoTime();
        Tuned tuned = Lab.withFineTuned(base, s.set(), Lab.draw(s.pool(), e.trainingSize(), 100),
                settings(base, e, 0), (model, outcome) -> {
                    double trainSeconds = (System.nanoTime() - t0) / 1e9;
                    r[2] = timed(g.seconds, 2, () -> Lab.evaluate(model, s.set(), List.of(), s.test(), false));
                    r[3] = timed(g.seconds, 3, () -> Lab.evaluate(model, s.set(), demos, s.test(), false));
                    double perplexity = s.general() != null ? Lab.perplexity(model, s.general()) : Double.NaN;
                    return new Tuned(trainSeconds, perplexity);
                });
        g.promptTokens[0] = FirstSeedCost.promptTokens(base, s.set(), List.of(), s.test());
        g.promptTokens[1] = FirstSeedCost.promptTokens(base, s.set(), demos, s.test());
        g.promptTokens[2] = g.promptTokens[0];
        g.promptTokens[3] = g.promptTokens[1];
        g.cost = FirstSeedCost.cost(base, s.set(), s.pool(), e, tuned.trainSeconds(), g.promptTokens, g.seconds, s.test().size());
        if (s.general() != null) {
            g.forgetting = new Forgetting(basePerplexity, tuned.perplexity());
        }
        g.outputs = FirstSeedCost.outputs(s.test(), r);
        record(s, g, r);
    }

    /** A seed's four measurements, added to the grid's cells. */
    private static void record(Setup s, Measured g, FewShotEvaluator.Result[] r) {
        s.tally().fineTuned();
        for (int m = 0; m < 4; m++) {
            g.accuracy.get(m).add(r[m].metrics().accuracy());
            g.macroF1.get(m).add(r[m].metrics().macroF1());
            s.progress().cell(m, new Point(m % 2 == 1 ? s.shots() : 0, List.copyOf(g.accuracy.get(m))));
        }
    }

    /** What a cell after the first seed measured: a seed of the grid, or a point of the labelled-examples curve. */
    private sealed interface Measurement {}

    private record Seed(int seed, FewShotEvaluator.Result[] results) implements Measurement {}

    private record Labelled(int n, double inContext, double fineTuned) implements Measurement {}

    /**
     * The grid's other seeds, then for each labelled size N of the experiment and each seed: accuracy
     * with N shots (as many as fit) and fine-tuned on N. Each is a cell of its own, run on the model
     * {@code cells} gives it; results are taken in order.
     */
    private static Curves otherCells(Setup s, Measured g, SideBySide cells, BooleanSupplier cancelled) {
        Experiment e = s.e();
        Progress progress = s.progress();
        List<java.util.function.Function<LoadedModel, Measurement>> todo = new ArrayList<>();
        for (int seed = 1; seed < e.seeds(); seed++) {
            int k = seed;
            todo.add(model -> new Seed(k, seedCell(s, model, k)));
        }
        for (int n : e.labelled()) {
            for (int seed = 0; seed < e.seeds(); seed++) {
                int k = seed;
                todo.add(model -> labelledCell(s, model, n, k));
            }
        }
        List<Point> icl = new ArrayList<>();
        List<Point> ft = new ArrayList<>();
        List<Double> a = new ArrayList<>();
        List<Double> f = new ArrayList<>();
        cells.run(todo, done -> {
            if (done instanceof Seed seed) {
                record(s, g, seed.results());
                progress.message("seed " + (seed.seed() + 1) + "/" + e.seeds() + ": fine-tuned, zero-shot "
                        + fmt(seed.results()[2].metrics().accuracy()));
            } else if (done instanceof Labelled point) {
                s.tally().fineTuned();
                a.add(point.inContext());
                f.add(point.fineTuned());
                if (a.size() == e.seeds()) {
                    icl.add(new Point(point.n(), List.copyOf(a)));
                    ft.add(new Point(point.n(), List.copyOf(f)));
                    a.clear();
                    f.clear();
                    progress.message("N = " + point.n() + ": in context " + fmt(icl.get(icl.size() - 1).mean())
                            + ", fine-tuned " + fmt(ft.get(ft.size() - 1).mean()));
                }
            }
        }, cancelled);
        return new Curves(new Curve("in context (N shots, as many as fit)", icl),
                new Curve("fine-tuned on N (" + e.fineTune().method() + ")", ft));
    }

    /** The four methods on seed {@code seed}'s draw, on {@code model} (adapters or a copy trained, then dropped). */
    private static FewShotEvaluator.Result[] seedCell(Setup s, LoadedModel model, int seed) {
        Experiment e = s.e();
        List<Example> demos = Lab.examples(Lab.draw(s.pool(), s.shots(), seed));
        FewShotEvaluator.Result[] r = new FewShotEvaluator.Result[4];
        r[0] = Lab.evaluate(model, s.set(), List.of(), s.test(), false);
        r[1] = Lab.evaluate(model, s.set(), demos, s.test(), false);
        Lab.withFineTuned(model, s.set(), Lab.draw(s.pool(), e.trainingSize(), 100 + seed), settings(model, e, seed),
                (tuned, outcome) -> {
                    r[2] = Lab.evaluate(tuned, s.set(), List.of(), s.test(), false);
                    r[3] = Lab.evaluate(tuned, s.set(), demos, s.test(), false);
                    return null;
                });
        return r;
    }

    /** Accuracy with {@code n} labelled examples drawn with {@code seed}: as shots (as many as fit), and fine-tuned on. */
    private static Labelled labelledCell(Setup s, LoadedModel model, int n, int seed) {
        List<SampleTasks.Item> items = Lab.draw(s.pool(), n, seed);
        List<Example> demos = Lab.fitting(model, s.set(), Lab.examples(items), s.test());
        double inContext = Lab.accuracy(model, s.set(), demos, s.test(), false);
        double fineTuned = Lab.fineTunedAccuracy(model, s.set(), items, settings(model, s.e(), seed), s.test());
        return new Labelled(n, inContext, fineTuned);
    }

    private static Results results(Setup s, Measured g, Curves labelled, long start) {
        Experiment e = s.e();
        int shots = s.shots();
        List<Cell> grid = new ArrayList<>();
        for (int m = 0; m < 4; m++) {
            grid.add(new Cell(METHODS.get(m), m >= 2, m % 2 == 1 ? shots : 0, new Point(m % 2 == 1 ? shots : 0,
                    g.accuracy.get(m)), new Point(0, g.macroF1.get(m)), g.promptTokens[m],
                    g.seconds[m] / s.test().size()));
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

    private static FewShotEvaluator.Result timed(double[] seconds, int method,
                                                 java.util.function.Supplier<FewShotEvaluator.Result> run) {
        long t0 = System.nanoTime();
        FewShotEvaluator.Result r = run.get();
        seconds[method] += (System.nanoTime() - t0) / 1e9;
        return r;
    }

    private static List<List<Double>> lists(int n) {
        return java.util.stream.Stream.<List<Double>>generate(ArrayList::new).limit(n).toList();
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
