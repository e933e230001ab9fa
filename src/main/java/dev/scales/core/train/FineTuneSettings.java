package dev.scales.core.train;

import dev.scales.core.InvalidSetting;
import dev.scales.core.ScalesException;
import dev.scales.core.model.Architecture;
import dev.scales.core.model.LoraConfig;
import java.util.List;

/**
 * How to fine-tune, validated when built.
 *
 * @param lora               LoRA settings, or null for full fine-tuning
 * @param maxSteps           stop after this many optimizer steps; 0 to run {@code epochs} epochs
 * @param warmupFraction     share of the steps over which the learning rate rises linearly from 0
 * @param cosine             after warm-up, decay the learning rate along a cosine to 0 (else constant)
 * @param maxGradNorm        clip the global gradient norm to this; 0 for no clipping
 * @param evalEvery          compute the validation loss every this many steps (and at the end)
 * @param validationFraction share of the examples held out for validation
 * @param patience           stop early after this many evaluations without a better validation loss; 0 never
 * @param accumulation       micro-batches of {@code batchSize} whose gradients add up to one optimizer step
 *                           (an effective batch of batchSize × accumulation in the memory of one micro-batch)
 * @param logEvery           report the training loss every this many steps (their mean): the loss and the
 *                           gradient norm stay on the device in between, so a GPU is synchronised only there
 *                           (1: every step, free on a CPU, where every operation is synchronous)
 */
public record FineTuneSettings(LoraConfig lora, float learningRate, int epochs, int maxSteps, int batchSize,
                               float warmupFraction, boolean cosine, float weightDecay, float maxGradNorm, long seed,
                               int evalEvery, double validationFraction, int patience, int accumulation, int logEvery) {
    /** Settings reporting every step. */
    public FineTuneSettings(LoraConfig lora, float learningRate, int epochs, int maxSteps, int batchSize,
                            float warmupFraction, boolean cosine, float weightDecay, float maxGradNorm, long seed,
                            int evalEvery, double validationFraction, int patience, int accumulation) {
        this(lora, learningRate, epochs, maxSteps, batchSize, warmupFraction, cosine, weightDecay, maxGradNorm, seed,
                evalEvery, validationFraction, patience, accumulation, 1);
    }

    /** Settings without gradient accumulation. */
    public FineTuneSettings(LoraConfig lora, float learningRate, int epochs, int maxSteps, int batchSize,
                            float warmupFraction, boolean cosine, float weightDecay, float maxGradNorm, long seed,
                            int evalEvery, double validationFraction, int patience) {
        this(lora, learningRate, epochs, maxSteps, batchSize, warmupFraction, cosine, weightDecay, maxGradNorm, seed,
                evalEvery, validationFraction, patience, 1);
    }

    /** Settings without early stopping. */
    public FineTuneSettings(LoraConfig lora, float learningRate, int epochs, int maxSteps, int batchSize,
                            float warmupFraction, boolean cosine, float weightDecay, float maxGradNorm, long seed,
                            int evalEvery, double validationFraction) {
        this(lora, learningRate, epochs, maxSteps, batchSize, warmupFraction, cosine, weightDecay, maxGradNorm, seed,
                evalEvery, validationFraction, 0);
    }

    /**
     * The settings a run has unless told otherwise, shared by the app, the CLI and experiment files:
     * tuned on the bundled model for a run a class can watch (a hundred steps at 0.004, evaluated
     * every 10). LoRA of rank 8 with alpha = rank (PEFT's default) on the Llama family's targets; a
     * model of another family takes its own ({@link LoraConfig#defaultTargets}).
     */
    public static final FineTuneSettings DEFAULT = new FineTuneSettings(
            new LoraConfig(8, 8, 0.05f, LoraConfig.defaultTargets(Architecture.LLAMA)), 0.004f, 1, 100, 8, 0.1f, true,
            0.01f, 1.0f, 42, 10, 0.1, 0, 1, 1);

    /** A setting, as a validation error names it (its name in words, as a sentence starts with it). */
    public enum Setting {
        LEARNING_RATE("learning rate"), EPOCHS("epochs"), MAX_STEPS("steps"), BATCH_SIZE("batch size"),
        WARMUP("warm-up"), WEIGHT_DECAY("weight decay"), MAX_GRAD_NORM("gradient clipping"), SEED("seed"),
        EVAL_EVERY("the evaluation interval"), VALIDATION_FRACTION("the validation share"), PATIENCE("patience"),
        ACCUMULATION("accumulation"), LOG_EVERY("the report interval"), LORA_RANK("LoRA rank"),
        LORA_ALPHA("LoRA alpha"), LORA_DROPOUT("LoRA dropout"), LORA_TARGETS("LoRA targets");

        private final String words;

        Setting(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /** A setting's value out of range: the message names the setting, {@link #setting()} says which it is. */
    public static final class Invalid extends InvalidSetting {
        private static final long serialVersionUID = 1L;

        public Invalid(Setting setting, String message) {
            super(setting, message);
        }

        @Override
        public Setting setting() {
            return (Setting) super.setting();
        }
    }

    public FineTuneSettings {
        require(learningRate > 0 && learningRate < 1, Setting.LEARNING_RATE, "must be within (0, 1), got " + learningRate);
        require(epochs >= 1 && epochs <= 1000, Setting.EPOCHS, "must be between 1 and 1000, got " + epochs);
        require(maxSteps >= 0, Setting.MAX_STEPS, "must be 0 (use epochs) or positive, got " + maxSteps);
        require(batchSize >= 1 && batchSize <= 1024, Setting.BATCH_SIZE, "must be between 1 and 1024, got " + batchSize);
        require(warmupFraction >= 0 && warmupFraction < 1, Setting.WARMUP, "must be within [0, 1), got " + warmupFraction);
        require(weightDecay >= 0 && weightDecay < 1, Setting.WEIGHT_DECAY, "must be within [0, 1), got " + weightDecay);
        require(maxGradNorm >= 0, Setting.MAX_GRAD_NORM, "must be 0 (off) or positive, got " + maxGradNorm);
        require(evalEvery >= 1, Setting.EVAL_EVERY, "must be positive, got " + evalEvery);
        require(validationFraction >= 0 && validationFraction < 1, Setting.VALIDATION_FRACTION,
                "must be within [0, 1), got " + validationFraction);
        require(patience >= 0, Setting.PATIENCE, "must be 0 (off) or positive, got " + patience);
        require(accumulation >= 1 && accumulation <= 1024, Setting.ACCUMULATION,
                "must be between 1 and 1024, got " + accumulation);
        require(logEvery >= 1 && logEvery <= 100_000, Setting.LOG_EVERY, "must be between 1 and 100000, got " + logEvery);
    }

    /**
     * LoRA settings checked as these are, so that a bad value is named by its {@link Setting}
     * ({@link LoraConfig} checks the same, for adapters read from files).
     */
    public static LoraConfig lora(int rank, float alpha, float dropout, List<String> targets) {
        require(rank >= 1 && rank <= 4096, Setting.LORA_RANK, "must be between 1 and 4096, got " + rank);
        require(alpha > 0 && !Float.isInfinite(alpha), Setting.LORA_ALPHA, "must be positive, got " + alpha);
        require(dropout >= 0 && dropout < 1, Setting.LORA_DROPOUT, "must be within [0, 1), got " + dropout);
        if (targets.isEmpty()) {
            throw new Invalid(Setting.LORA_TARGETS, "LoRA needs at least one target module");
        }
        return new LoraConfig(rank, alpha, dropout, targets);
    }

    /** These settings with {@code steps} micro-batches per optimizer step. */
    public FineTuneSettings withAccumulation(int steps) {
        return new FineTuneSettings(lora, learningRate, epochs, maxSteps, batchSize, warmupFraction, cosine, weightDecay,
                maxGradNorm, seed, evalEvery, validationFraction, patience, steps, logEvery);
    }

    /** These settings reporting the loss every {@code steps} steps. */
    public FineTuneSettings withLogEvery(int steps) {
        return new FineTuneSettings(lora, learningRate, epochs, maxSteps, batchSize, warmupFraction, cosine, weightDecay,
                maxGradNorm, seed, evalEvery, validationFraction, patience, accumulation, steps);
    }

    public boolean isLora() {
        return lora != null;
    }

    /** The learning rate at 0-based {@code step} of {@code total}. */
    public float learningRateAt(int step, int total) {
        int warmup = (int) Math.floor(warmupFraction * total);
        if (step < warmup) {
            return learningRate * (step + 1) / warmup;
        }
        if (!cosine) {
            return learningRate;
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return (float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private static void require(boolean ok, Setting setting, String rule) {
        if (!ok) {
            throw new Invalid(setting, setting + " " + rule);
        }
    }
}
