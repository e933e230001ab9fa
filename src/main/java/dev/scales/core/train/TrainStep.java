package dev.scales.core.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;

/**
 * One optimizer step of next-token training on a batch of equal-length sequences: forward with
 * autograd, backward, AdamW update. Everything the step creates lives in a manager closed at its
 * end; the loss leaves as a Java number.
 */
public final class TrainStep {
    private TrainStep() {}

    /** The step's loss and the gradient norm before clipping. */
    public record Result(float loss, double gradNorm) {}

    /**
     * @param ids      (B, T) token ids; position t is trained to predict ids[t + 1]
     * @param weights  (B, T - 1) 1 where the prediction of ids[t + 1] counts, or null for all
     */
    public static Result run(LoadedModel model, long[][] ids, float[][] weights, AdamW optimizer, float lr,
                             float maxGradNorm, boolean measureNorm) {
        int b = ids.length;
        int t = ids[0].length - 1;
        long[][] inputs = new long[b][];
        long[] targets = new long[b * t];
        float[] w = new float[b * t];
        for (int r = 0; r < b; r++) {
            inputs[r] = java.util.Arrays.copyOf(ids[r], t);
            for (int i = 0; i < t; i++) {
                targets[r * t + i] = ids[r][i + 1];
                w[r * t + i] = weights == null ? 1f : weights[r][i];
            }
        }
        float loss;
        GradMode.inference();
        try (NDManager step = model.manager().newSubManager()) {
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                Inputs.Batch batch = Inputs.leftPadded(step, inputs, 0);
                NDArray logits = model.lm().forward(batch.ids(), batch.positions(), batch.bias(), null, false);
                NDArray lossArray = LanguageModelLoss.crossEntropy(logits, step.create(targets).reshape(b, t),
                        step.create(w, new Shape(b, t)), step);
                collector.backward(lossArray);
                loss = lossArray.getFloat();
            }
            GradMode.inference();
            if (!Float.isFinite(loss)) {
                optimizer.zeroGradients();
                return new Result(loss, Double.NaN);
            }
            double norm = optimizer.step(lr, maxGradNorm, measureNorm);
            return new Result(loss, norm);
        }
    }
}
