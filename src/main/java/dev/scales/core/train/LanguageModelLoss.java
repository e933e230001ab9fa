package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Next-token cross-entropy, averaged over the positions whose weight is 1 (the completion or
 * label tokens when there is a prompt; every real token otherwise).
 */
public final class LanguageModelLoss {
    private LanguageModelLoss() {}

    /**
     * @param logits   (B, T, V)
     * @param targets  (B, T) int64: the token each position should predict
     * @param weights  (B, T) float32: 1 where the loss counts, 0 elsewhere (padding, prompt)
     * @param count    the sum of the weights (known to the caller, so no device sync is needed)
     * @param scope    the step's manager: the count lives there until the backward pass is done
     * @return the mean loss, a scalar
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets, NDArray weights, float count,
                                       NDManager scope) {
        NDArray logp = logits.logSoftmax(2); // (B, T, V)
        NDArray picked = logp.gather(targets.expandDims(2), 2).squeeze(2); // (B, T)
        // A tensor constant, not div(Number): autograd keeps the constant, DJL would free a temporary.
        NDArray denominator = scope.create(Math.max(1f, count));
        return picked.mul(weights).sum().neg().div(denominator);
    }
}
