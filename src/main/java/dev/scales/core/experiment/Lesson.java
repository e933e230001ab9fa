package dev.scales.core.experiment;

import ai.djl.Device;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.Example;
import dev.scales.core.train.FineTuneRun;
import dev.scales.core.train.TrainingEvent;
import dev.scales.core.util.ProgressCount;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;

/**
 * The classroom lesson of the seed story, in four measured steps on one sample task: the general
 * model (what initial training gave it); practice (fine-tuning on a small labelled set); improvisation
 * (in-context learning from demonstrations in the prompt); and both combined, with what fine-tuning
 * cost the model's general text. It keeps two copies of the model — the base, and the one being
 * fine-tuned — so each step measures what it says whatever ran before. Close it to free them.
 */
public final class Lesson implements AutoCloseable {
    /** Labelled examples the practice step trains on, and the demonstrations of the prompting steps. */
    public static final int TRAINING_EXAMPLES = 64;
    public static final List<Integer> SHOTS = List.of(0, 1, 2, 4, 8);
    static final int SEEDS = 3;

    private final SampleTasks.Task task;
    private final String heldOut;
    private final List<FewShotEvaluator.TestExample> test;
    private final LoadedModel base;
    private final LoadedModel tuned;
    private final int practiceSteps;
    private final String sample;
    private FineTuneRun.Outcome practiced;
    /** The base model never changes: its zero-shot accuracy and perplexity are measured once. */
    private Double baseZeroShot;
    private Double basePerplexity;

    /** Step 1: the base model before any of this: zero-shot accuracy, general-text perplexity, a sample. */
    public record General(double zeroShotAccuracy, double perplexity, String prompt, String continuation) {}

    /** Step 2: the loss of each step, and zero-shot accuracy after practice. */
    public record Practice(List<Float> losses, double zeroShotAccuracy, long millis) {}

    /** Step 3: accuracy of the base model against the number of demonstrations (mean over draws). */
    public record Improvise(List<Studies.Point> points) {}

    /** Step 4: the fine-tuned model with demonstrations too, and the perplexity before and after. */
    public record Both(double baseZeroShot, double baseFewShot, double tunedZeroShot, double tunedFewShot, double perplexityBefore,
                       double perplexityAfter) {
        /** The relative rise in perplexity on general text: what practice cost. */
        public double forgetting() {
            return perplexityAfter / perplexityBefore - 1;
        }
    }

    /** On the bundled model (CPU), whose world the sample prompt of step 1 is written in. */
    public Lesson(Path folder, SampleTasks.Task task, String heldOut, int testSize, int practiceSteps) {
        this(folder, Device.cpu(), task, heldOut, "Mia tried the soup. it was", testSize, practiceSteps);
    }

    /** As below, on the device of {@code model} (the CPU without one). */
    public static Lesson onDeviceOf(java.util.Optional<LoadedModel> model, Path folder, SampleTasks.Task task,
                                    String heldOut, String sample, int testSize, int practiceSteps) {
        return new Lesson(folder, model.map(LoadedModel::device).orElse(Device.cpu()), task, heldOut, sample, testSize,
                practiceSteps);
    }

    /**
     * @param folder   the model
     * @param device   where its two copies are loaded
     * @param task     the labelled task: its prompt set, training examples, validation split (the
     *                 demonstrations of the prompting steps are drawn from it) and test set
     * @param heldOut  general text the model never trained on, for perplexity
     * @param sample   the text step 1 lets the base model continue, to show what it does unprompted
     * @param testSize test examples each accuracy is measured on
     * @param practiceSteps optimizer steps of the practice step (100 reach 1.00 on the bundled model with seed 0)
     */
    public Lesson(Path folder, Device device, SampleTasks.Task task, String heldOut, String sample, int testSize,
                  int practiceSteps) {
        this.task = task;
        this.practiceSteps = practiceSteps;
        this.heldOut = heldOut;
        this.sample = sample;
        this.test = Lab.tests(task.test().subList(0, Math.min(testSize, task.test().size())));
        this.base = ModelLoader.load(folder, device);
        LoadedModel copy;
        try {
            copy = ModelLoader.load(folder, device);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
        this.tuned = copy;
    }

    public SampleTasks.Task task() {
        return task;
    }

    /**
     * Step 1. {@code progress} hears the share done (here and in every step: from 0 to 1, after each
     * evaluation, generation and training step); a stop ends it with a {@link CancellationException}
     * before its next measure.
     */
    public General general(BooleanSupplier stop, DoubleConsumer progress) {
        ProgressCount count = new ProgressCount(3, progress);
        String continuation = counted(count, stop, () -> Generator.generate(base, sample, GenerationSettings.greedy(16)
                .withStopSequences(List.of("\n")), t -> { }, stop).text());
        return new General(counted(count, stop, this::baseZeroShot), counted(count, stop, this::basePerplexity),
                sample, continuation);
    }

    /**
     * Step 2: fine-tunes (LoRA) the second copy on {@value #TRAINING_EXAMPLES} labelled examples;
     * again from scratch if run twice. A stop ends it with a {@link CancellationException}, the
     * practice forgotten.
     */
    public Practice practice(Consumer<TrainingEvent.Step> onStep, BooleanSupplier stop, DoubleConsumer progress) {
        return practise(onStep, stop, new ProgressCount(practiceSteps + 1L, progress));
    }

    private Practice practise(Consumer<TrainingEvent.Step> onStep, BooleanSupplier stop, ProgressCount count) {
        forgetPractice();
        long start = System.nanoTime();
        List<Float> losses = new ArrayList<>();
        practiced = Lab.fineTune(tuned, task.prompts(), Lab.draw(task.train(), TRAINING_EXAMPLES, 0),
                Lab.settings(tuned, true, Studies.Plan.LORA_RATE, practiceSteps, 8, 8, 0), e -> {
                    if (e instanceof TrainingEvent.Step st) {
                        losses.add(st.trainLoss());
                        onStep.accept(st);
                        count.add(1);
                    }
                }, stop);
        if (stop.getAsBoolean()) {
            forgetPractice(); // half a practice is none: the next step practises afresh
            throw new CancellationException("the practice was cancelled");
        }
        double accuracy = counted(count, () -> Lab.accuracy(tuned, task.prompts(), List.of(), test, false));
        return new Practice(losses, accuracy, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Step 3: the base model's accuracy for each number of demonstrations in {@link #SHOTS}; a stop
     * ends it between two evaluations with a {@link CancellationException}.
     */
    public Improvise improvise(BooleanSupplier stop, DoubleConsumer progress) {
        ProgressCount count = new ProgressCount(SHOTS.stream().mapToInt(Lesson::draws).sum(), progress);
        List<Studies.Point> points = new ArrayList<>();
        for (int k : SHOTS) {
            List<Double> accuracies = new ArrayList<>();
            for (int seed = 0; seed < draws(k); seed++) {
                if (stop.getAsBoolean()) {
                    throw new CancellationException("the improvisation was cancelled");
                }
                int s = seed;
                accuracies.add(counted(count, () -> k == 0 ? baseZeroShot()
                        : Lab.accuracy(base, task.prompts(), demonstrations(k, s), test, false)));
            }
            points.add(new Studies.Point(k, accuracies));
        }
        return new Improvise(points);
    }

    /** Draws of demonstrations step 3 measures for {@code k}: zero-shot has nothing to draw. */
    private static int draws(int k) {
        return k == 0 ? 1 : SEEDS;
    }

    /**
     * Step 4, practising first ({@link #practice}, its steps to {@code onStep}) when that has not
     * run.
     */
    public Both both(Consumer<TrainingEvent.Step> onStep, BooleanSupplier stop, DoubleConsumer progress) {
        ProgressCount count = new ProgressCount((practiced == null ? practiceSteps + 1L : 0) + 6, progress);
        if (practiced == null) {
            practise(onStep, stop, count);
        }
        List<Example> demos = demonstrations(SHOTS.get(SHOTS.size() - 1), 0);
        return new Both(counted(count, this::baseZeroShot),
                counted(count, () -> Lab.accuracy(base, task.prompts(), demos, test, false)),
                counted(count, () -> Lab.accuracy(tuned, task.prompts(), List.of(), test, false)),
                counted(count, () -> Lab.accuracy(tuned, task.prompts(), demos, test, false)),
                counted(count, this::basePerplexity), counted(count, () -> Lab.perplexity(tuned, heldOut)));
    }

    /** A measure, counted as one unit done once measured. */
    private static <T> T counted(ProgressCount count, Supplier<T> measure) {
        T value = measure.get();
        count.add(1);
        return value;
    }

    /** As above, unless {@code stop} says to stop first. */
    private static <T> T counted(ProgressCount count, BooleanSupplier stop, Supplier<T> measure) {
        if (stop.getAsBoolean()) {
            throw new CancellationException("the step was cancelled");
        }
        return counted(count, measure);
    }

    private synchronized double baseZeroShot() {
        if (baseZeroShot == null) {
            baseZeroShot = Lab.accuracy(base, task.prompts(), List.of(), test, false);
        }
        return baseZeroShot;
    }

    private synchronized double basePerplexity() {
        if (basePerplexity == null) {
            basePerplexity = Lab.perplexity(base, heldOut);
        }
        return basePerplexity;
    }

    public boolean practised() {
        return practiced != null;
    }

    /** Demonstrations drawn from the validation split, so they are never training examples of step 2. */
    private List<Example> demonstrations(int k, long seed) {
        return Lab.examples(Lab.draw(task.validation(), k, seed));
    }

    private void forgetPractice() {
        if (practiced != null && practiced.adapters() != null) {
            practiced.adapters().close();
        }
        practiced = null;
    }

    @Override
    public void close() {
        forgetPractice();
        tuned.close();
        base.close();
    }
}
