package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.device.MemoryCheck;
import dev.scales.core.data.Jsonl;
import dev.scales.core.generate.LabelScorer;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.Trainables;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.prompt.LabelSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A fine-tuning run on the loaded model: tokenizes the examples (loss on completions only),
 * holds out a validation share, then trains with AdamW — fully or through LoRA adapters —
 * reporting every step (or the mean of every {@code logEvery} steps, read from the device at once)
 * and evaluation. A run that fails — a non-finite loss (with {@code logEvery} > 1: found at the next
 * report), an exception, out of memory, a checkpoint that cannot be written — changes nothing: its
 * adapters are taken off and freed, a full run's weights are put back. Stopping is checked between
 * steps.
 */
public final class FineTuneRun {
    private FineTuneRun() {}

    /**
     * A tokenized example: the ids and, for each prediction, whether it counts; the prompt's length
     * and the example's label (null when unlabelled) for measuring accuracy.
     */
    record Sequence(long[] ids, float[] weights, int promptLength, TrainingExample.Label label) {}

    /** What the run left: the adapters (LoRA; still attached, the caller closes or saves them) or null. */
    public record Outcome(TrainingEvent.Finished finished, LoraAdapters adapters, List<Jsonl.Problem> skipped) {}

    /**
     * How a run is steered from outside, checked between optimizer steps: {@code stop} ends it (the
     * last checkpoint is still written); while {@code paused} holds it waits, still running
     * {@code betweenSteps}; {@code betweenSteps} runs after every step (the model manager lets
     * urgent jobs — a prompt typed during training — run there, on whole steps' weights);
     * {@code checkpoints} receives the best and the last (null: none); {@code resume} is a "last"
     * checkpoint of the same run to continue from (null: start afresh); {@code memory} tells what
     * the device has free, so a run that will not fit is refused before it starts.
     */
    public record Control(BooleanSupplier stop, BooleanSupplier paused, Runnable betweenSteps, Checkpoints checkpoints,
                          java.nio.file.Path resume, MemoryCheck memory) {
        public static Control stopWhen(BooleanSupplier stop) {
            return new Control(stop, () -> false, () -> { }, null, null, MemoryCheck.system());
        }

        public Control pausedWhen(BooleanSupplier p) {
            return new Control(stop, p, betweenSteps, checkpoints, resume, memory);
        }

        public Control betweenSteps(Runnable r) {
            return new Control(stop, paused, r, checkpoints, resume, memory);
        }

        public Control checkpoints(Checkpoints c) {
            return new Control(stop, paused, betweenSteps, c, resume, memory);
        }

        public Control resumeFrom(java.nio.file.Path last) {
            return new Control(stop, paused, betweenSteps, checkpoints, last, memory);
        }

        public Control memory(MemoryCheck m) {
            return new Control(stop, paused, betweenSteps, checkpoints, resume, m);
        }
    }

    public static Outcome run(LoadedModel model, List<TrainingExample> examples, FineTuneSettings s,
                              Consumer<TrainingEvent> listener, BooleanSupplier stop) {
        return run(model, examples, s, listener, Control.stopWhen(stop));
    }

    /**
     * Trains; for full fine-tuning a resumed run's model must be its checkpoint's model, for LoRA the
     * checkpoint's adapter is loaded onto the base. The optimizer state, the schedule position and
     * the data order continue from the checkpoint's step.
     */
    public static Outcome run(LoadedModel model, List<TrainingExample> examples, FineTuneSettings s,
                              Consumer<TrainingEvent> listener, Control control) {
        java.nio.file.Path resume = control.resume();
        List<Jsonl.Problem> skipped = new ArrayList<>();
        List<Sequence> all = tokenize(model, examples, skipped);
        if (all.isEmpty()) {
            throw new ScalesException("no usable training examples"
                    + (skipped.isEmpty() ? "" : "; first problem: " + skipped.get(0)));
        }
        TrainingMemory.estimate(model, s, all).require(control.memory().free(model.device()), model);
        Random random = new Random(s.seed());
        List<Sequence> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, random);
        int validationCount = all.size() >= 5 ? (int) Math.round(s.validationFraction() * all.size()) : 0;
        List<Sequence> validation = shuffled.subList(0, validationCount);
        List<Sequence> train = new ArrayList<>(shuffled.subList(validationCount, shuffled.size()));
        int stepsPerEpoch = (train.size() + s.batchSize() * s.accumulation() - 1) / (s.batchSize() * s.accumulation());
        int total = s.maxSteps() > 0 ? s.maxSteps() : s.epochs() * stepsPerEpoch;

        // From here on the model changes: a failed run puts it back as it was.
        LoraAdapters adapters = !s.isLora() ? null
                : resume == null ? LoraAdapters.attach(model, s.lora(), s.seed()) : LoraAdapters.load(model, resume);
        Weights before = s.isLora() ? null : Weights.copyOf(model);
        try {
            Outcome out = train(model, s, listener, control, adapters, new Split(train, validation, total),
                    skipped);
            if (out.finished().outcome() == TrainingEvent.Outcome.FAILED) {
                undo(adapters, before);
                return new Outcome(out.finished(), null, out.skipped());
            }
            return out;
        } catch (RuntimeException | Error e) {
            undo(adapters, before);
            throw e;
        } finally {
            if (before != null) {
                before.close();
            }
        }
    }

    /** Takes a failed run's adapters off (freeing them), or puts the weights of before a full run back. */
    private static void undo(LoraAdapters adapters, Weights before) {
        if (adapters != null) {
            adapters.close();
        }
        if (before != null) {
            before.restore();
        }
    }

    /** The training and validation examples and the number of steps. */
    private record Split(List<Sequence> train, List<Sequence> validation, int total) {}

    /** Makes the run's tensors trainable, trains them with AdamW, and leaves the model for inference again. */
    private static Outcome train(LoadedModel model, FineTuneSettings s, Consumer<TrainingEvent> listener,
                                 Control control, LoraAdapters adapters, Split split, List<Jsonl.Problem> skipped) {
        List<NDArray> params;
        if (adapters != null) {
            Trainables.freezeAll(model.lm());
            adapters.parameters().forEach(p -> p.setRequiresGradient(true));
            adapters.setTraining(true);
            params = adapters.parameters();
        } else {
            Trainables.setTrainable(model.lm(), n -> true);
            params = model.lm().namedParameters().values().stream().map(HfBlock.Weight::array).toList();
        }
        List<String> names = s.isLora() ? List.of() : List.copyOf(model.lm().namedParameters().keySet());
        // No weight decay on biases and norms, as HF's Trainer does.
        try (AdamW opt = new AdamW(model.manager(), params, i -> s.isLora() || decays(names.get(i)), 0.9f, 0.999f,
                1e-8f, s.weightDecay());
             LossInterval interval = s.logEvery() > 1 ? new LossInterval(model.manager()) : null;
             // With early stopping, the trained tensors at the best evaluation, to end the run with them.
             Weights atBest = s.patience() > 0 && !split.validation().isEmpty()
                     ? Weights.copyOf(model.manager(), params) : null) {
            java.nio.file.Path resume = control.resume();
            if (resume != null) {
                opt.load(resume.resolve("optimizer.safetensors"));
            }
            TrainingEvent.Finished finished = new TrainingLoop(model, s, listener, control, adapters, split.train(),
                    split.validation(), split.total(), new TrainingLoop.Trained(params, opt, interval, atBest))
                    .run(resume == null ? 0 : Checkpoints.step(resume));
            return new Outcome(finished, adapters, List.copyOf(skipped));
        } finally {
            Trainables.freezeAll(model.lm());
            if (adapters != null) {
                adapters.setTraining(false);
                adapters.parameters().forEach(p -> p.setRequiresGradient(false));
            }
            GradMode.inference();
        }
    }

    static boolean decays(String name) {
        return !(name.endsWith(".bias") || name.contains("norm") || name.contains("ln_"));
    }

    /**
     * Each example's segments in order, the first with BOS where the tokenizer adds one, trained
     * segments as running text writes them ({@link dev.scales.core.model.Tokenizer#encodeContinued});
     * the loss counts on trained segments only. A free completion ends with EOS, so the model learns
     * to stop; a labelled answer does not (in use it is followed by the next example or the query),
     * nor does a conversation, whose template writes its own end of turn.
     */
    static List<Sequence> tokenize(LoadedModel model, List<TrainingExample> examples, List<Jsonl.Problem> skipped) {
        List<Sequence> out = new ArrayList<>();
        List<Integer> eos = model.config().eosTokenIds();
        for (TrainingExample e : examples) {
            List<long[]> parts = new ArrayList<>();
            int n = 0;
            int promptLength = -1;
            for (int s = 0; s < e.segments().size(); s++) {
                TrainingExample.Segment seg = e.segments().get(s);
                long[] ids = s == 0 ? model.tokenizer().encode(seg.text(), true)
                        : seg.trained() ? model.tokenizer().encodeContinued(seg.text())
                        : model.tokenizer().encode(seg.text(), false);
                if (seg.trained() && promptLength < 0) {
                    promptLength = n;
                }
                parts.add(ids);
                n += ids.length;
            }
            boolean endsWithEos = e.endsWithEos() && !eos.isEmpty();
            n += endsWithEos ? 1 : 0;
            if (n > model.contextLength()) {
                skipped.add(new Jsonl.Problem(java.nio.file.Path.of("dataset"), e.line(), n + " tokens, longer than "
                        + model.name() + "'s context of " + model.contextLength()));
                continue;
            }
            long[] ids = new long[n];
            float[] w = new float[Math.max(0, n - 1)];
            int at = 0;
            for (int s = 0; s < parts.size(); s++) {
                long[] part = parts.get(s);
                System.arraycopy(part, 0, ids, at, part.length);
                // Prediction i predicts ids[i + 1]: it counts when ids[i + 1] is a trained token (or EOS).
                if (e.segments().get(s).trained()) {
                    for (int i = Math.max(0, at - 1); i < at + part.length - 1; i++) {
                        w[i] = 1f;
                    }
                }
                at += part.length;
            }
            if (endsWithEos) {
                ids[n - 1] = eos.get(0);
                w[n - 2] = 1f;
            }
            if (n >= 2) {
                out.add(new Sequence(ids, w, Math.max(0, promptLength), e.label()));
            }
        }
        return out;
    }

    /**
     * The share of {@code data} whose label scores highest after its prompt, among the labels the
     * data uses (each scored as its examples write it); NaN unless every example is labelled and
     * there are two labels or more.
     */
    static double accuracy(LoadedModel model, List<Sequence> data) {
        java.util.Map<String, String> written = new java.util.LinkedHashMap<>();
        for (Sequence q : data) {
            if (q.label() == null || q.promptLength() == 0) {
                return Double.NaN;
            }
            written.putIfAbsent(q.label().name(), q.label().written());
        }
        if (written.size() < 2) {
            return Double.NaN;
        }
        GradMode.inference();
        LabelSet labels = new LabelSet(written);
        LabelScorer scorer = new LabelScorer(model, labels, false);
        int right = 0;
        for (Sequence q : data) {
            try (LabelScorer.Prefix prompt = scorer.prefix(
                    java.util.Arrays.copyOf(q.ids(), q.promptLength()))) {
                double[] scores = scorer.score(prompt);
                int best = 0;
                for (int i = 1; i < scores.length; i++) {
                    best = scores[i] > scores[best] ? i : best;
                }
                right += labels.labels().get(best).equals(q.label().name()) ? 1 : 0;
            }
        }
        return right / (double) data.size();
    }

    /** Mean loss over the completion tokens of {@code data}, without gradients. */
    static double loss(LoadedModel model, List<Sequence> data, int batchSize) {
        GradMode.inference();
        double sum = 0;
        double count = 0;
        for (int first = 0; first < data.size(); first += batchSize) {
            List<Sequence> batch = data.subList(first, Math.min(data.size(), first + batchSize));
            TrainStep.Aligned a = TrainStep.Aligned.of(batch.stream().map(Sequence::ids).toArray(long[][]::new),
                    batch.stream().map(Sequence::weights).toArray(float[][]::new));
            try (NDManager m = model.manager().newSubManager()) {
                float n = a.weightSum();
                sum += a.loss(model, 1f, m).getFloat() * n;
                count += n;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
