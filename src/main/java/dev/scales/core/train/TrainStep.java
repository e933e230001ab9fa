package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.nn.FusedHeadLoss;

/**
 * One optimizer step of next-token training on a batch of equal-length sequences: forward with
 * autograd, backward, AdamW update. Everything the step creates lives in a manager closed at its
 * end; the loss leaves as a Java number.
 */
public final class TrainStep {
    private TrainStep() {}

    /**
     * Rows of different lengths laid out for one forward pass: inputs left-padded, each target
     * under the position that predicts it, weights 0 on the padding.
     */
    record Aligned(long[][] inputs, long[] targets, float[] weights, int rows, int time) {
        static Aligned of(long[][] ids, float[][] weights) {
            int b = ids.length;
            int t = 0;
            for (long[] row : ids) {
                t = Math.max(t, row.length - 1);
            }
            long[][] inputs = new long[b][];
            long[] targets = new long[b * t];
            float[] w = new float[b * t];
            for (int r = 0; r < b; r++) {
                int n = ids[r].length - 1;
                int pad = t - n; // Inputs.leftPadded puts the row's tokens at the end
                inputs[r] = java.util.Arrays.copyOf(ids[r], n);
                for (int i = 0; i < n; i++) {
                    targets[r * t + pad + i] = ids[r][i + 1];
                    w[r * t + pad + i] = weights == null ? 1f : weights[r][i];
                }
            }
            return new Aligned(inputs, targets, w, b, t);
        }

        /**
         * The mean next-token loss of the model on these rows times {@code scale} (differentiable
         * when grad mode is on). Only the positions whose prediction counts go through the output
         * head — on labelled rows one or two of each row's — unless the head is more than a matrix,
         * or, recording no gradient, most positions count: then the compiled forward's logits.
         */
        NDArray loss(LoadedModel model, float scale, NDManager scope) {
            Inputs.Batch batch = Inputs.leftPadded(scope, inputs, 0);
            NDArray head = model.lm().headWeight();
            boolean grad = JniUtils.isGradMode();
            int counted = counted();
            NDArray loss;
            if (head != null && (grad || 2 * counted <= weights.length)) {
                NDArray hidden = model.lm().hiddenStates(batch.ids(), batch.positions(), batch.bias());
                if (grad && FusedHeadLoss.applies(head)) {
                    return FusedHeadLoss.loss(hidden, head, targets, weights, weightSum(), scale, scope);
                }
                loss = countedLoss(hidden, head, counted, scope);
            } else {
                NDArray logits = model.lm().forward(batch.ids(), batch.positions(), batch.bias(), null, false);
                loss = LanguageModelLoss.crossEntropy(logits, scope.create(targets).reshape(rows, time),
                        scope.create(weights, new Shape(rows, time)), weightSum(), scope);
            }
            // A scalar tensor kept by the scope until after backward, never a Number operand:
            // autograd would keep a wrapper DJL frees (see Scalars).
            return scale == 1f ? loss : loss.mul(scope.full(new Shape(), scale));
        }

        /** The loss from the hidden states (B, T, C) of the {@code n} counted positions only, times the head (V, C)ᵀ. */
        private NDArray countedLoss(NDArray hidden, NDArray head, int n, NDManager scope) {
            long[] at = new long[n];
            long[] picked = new long[n];
            float[] w = new float[n];
            for (int i = 0, j = 0; i < weights.length; i++) {
                if (weights[i] != 0) {
                    at[j] = i;
                    picked[j] = targets[i];
                    w[j++] = weights[i];
                }
            }
            long c = hidden.getShape().get(2);
            NDArray states = hidden.reshape(-1, c).get(scope.create(at)); // (n, C)
            NDArray headT = head.transpose();
            headT.attach(scope); // made in the model's manager, the head's
            NDArray logits = states.matMul(headT).expandDims(0); // (1, n, V)
            return LanguageModelLoss.crossEntropy(logits, scope.create(picked, new Shape(1, n)),
                    scope.create(w, new Shape(1, n)), weightSum(), scope);
        }

        /** Positions whose prediction counts. */
        int counted() {
            int n = 0;
            for (float w : weights) {
                n += w != 0 ? 1 : 0;
            }
            return n;
        }

        float weightSum() {
            float sum = 0;
            for (float w : weights) {
                sum += w;
            }
            return sum;
        }
    }

    /** The step's loss and the gradient norm before clipping. */
    public record Result(float loss, double gradNorm) {}

    /** The step's loss and gradient norm (before clipping), scalars still on the device. */
    public record Kept(NDArray loss, NDArray gradNorm) {}

    /**
     * As {@link #run(LoadedModel, List, AdamW, float, float, boolean)}, without reading anything from
     * the device ({@link AdamW#stepOnDevice}): the loss and the norm come back attached to {@code keep}.
     */
    public static Kept runKept(LoadedModel model, List<Batch> microBatches, AdamW optimizer, float lr,
                               float maxGradNorm, NDManager keep) {
        GradMode.inference();
        try (NDManager step = model.manager().newSubManager()) {
            NDArray loss = backward(model, microBatches, step);
            GradMode.inference();
            NDArray norm = optimizer.stepOnDevice(lr, maxGradNorm, keep);
            loss.attach(keep);
            return new Kept(loss, norm);
        }
    }

    /**
     * @param ids      token ids per row (rows may differ in length; shorter ones are left-padded and
     *                 their padding never counts); position t is trained to predict ids[t + 1]
     * @param weights  per row, ids.length - 1 weights: 1 where the prediction of ids[t + 1] counts
     *                 (e.g. only the completion), or null to count every prediction
     */
    public static Result run(LoadedModel model, long[][] ids, float[][] weights, AdamW optimizer, float lr,
                             float maxGradNorm, boolean measureNorm) {
        return run(model, List.of(new Batch(ids, weights)), optimizer, lr, maxGradNorm, measureNorm);
    }

    /**
     * Forward and backward over each micro-batch alone, its loss weighted by its share of the
     * counted predictions; returns the step's loss, detached, in {@code step}.
     */
    private static NDArray backward(LoadedModel model, List<Batch> microBatches, NDManager step) {
        List<Aligned> aligned = microBatches.stream().map(b -> Aligned.of(b.ids(), b.weights())).toList();
        double total = aligned.stream().mapToDouble(Aligned::weightSum).sum();
        NDArray loss = null;
        for (Aligned a : aligned) {
            try (NDManager micro = step.newSubManager()) {
                GradMode.training();
                NDArray value;
                try {
                    NDArray lossArray = a.loss(model, aligned.size() > 1 ? (float) (a.weightSum() / total) : 1f, micro);
                    JniUtils.backward((PtNDArray) lossArray, (PtNDArray) lossArray.onesLike(), false, false);
                    value = lossArray.stopGradient();
                } finally {
                    GradMode.inference();
                }
                value.attach(step);
                loss = loss == null ? value : loss.add(value);
            }
        }
        return loss;
    }

    /** Rows and their prediction weights (null: every prediction counts), as {@link #run} takes them. */
    public record Batch(long[][] ids, float[][] weights) {}

    /**
     * One optimizer step over several micro-batches (gradient accumulation): each one's forward and
     * backward pass runs alone, its loss weighted by its share of the counted predictions, so the
     * gradients add up to those of one batch of all the rows — in the memory of the largest micro-batch.
     */
    public static Result run(LoadedModel model, List<Batch> microBatches, AdamW optimizer, float lr,
                             float maxGradNorm, boolean measureNorm) {
        GradMode.inference();
        try (NDManager step = model.manager().newSubManager()) {
            float loss = backward(model, microBatches, step).getFloat();
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
