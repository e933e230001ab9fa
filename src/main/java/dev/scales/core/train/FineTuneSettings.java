package dev.scales.core.train;

import dev.scales.core.ScalesException;
import dev.scales.core.model.LoraConfig;

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

    public FineTuneSettings {
        require(learningRate > 0 && learningRate < 1, "--lr must be within (0, 1), got " + learningRate);
        require(epochs >= 1 && epochs <= 1000, "--epochs must be between 1 and 1000, got " + epochs);
        require(maxSteps >= 0, "--max-steps must be 0 (use epochs) or positive, got " + maxSteps);
        require(batchSize >= 1 && batchSize <= 1024, "--batch must be between 1 and 1024, got " + batchSize);
        require(warmupFraction >= 0 && warmupFraction < 1, "warm-up must be within [0, 1), got " + warmupFraction);
        require(weightDecay >= 0 && weightDecay < 1, "weight decay must be within [0, 1), got " + weightDecay);
        require(maxGradNorm >= 0, "gradient clipping must be 0 (off) or positive, got " + maxGradNorm);
        require(evalEvery >= 1, "the evaluation interval must be positive, got " + evalEvery);
        require(validationFraction >= 0 && validationFraction < 1,
                "the validation share must be within [0, 1), got " + validationFraction);
        require(patience >= 0, "--patience must be 0 (off) or positive, got " + patience);
        require(accumulation >= 1 && accumulation <= 1024, "--accumulate must be between 1 and 1024, got "
                + accumulation);
        require(logEvery >= 1 && logEvery <= 100_000, "--log-every must be between 1 and 100000, got " + logEvery);
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

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ScalesException(message);
        }
    }
}
