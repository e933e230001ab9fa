package dev.scales.core.train;

/** What a fine-tuning run reports as it goes; immutable records delivered to a listener. */
public sealed interface TrainingEvent {
    /** After each optimizer step. */
    record Step(int step, int totalSteps, int epoch, float trainLoss, float learningRate, double gradNorm,
                double tokensPerSecond, long elapsedMillis, long etaMillis) implements TrainingEvent {}

    /**
     * After each evaluation on the validation set: its loss, and its accuracy by label scoring when
     * the examples are labelled (NaN when not).
     */
    record Evaluation(int step, double validationLoss, double validationAccuracy) implements TrainingEvent {}

    /** Once, at the end. */
    record Finished(int steps, Outcome outcome, String message, double bestValidationLoss) implements TrainingEvent {}

    /** How a run ended. */
    enum Outcome { DONE, STOPPED, FAILED }
}
