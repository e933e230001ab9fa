package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;

/** Scaled dot-product attention shared by both families. */
public final class Attention {
    private Attention() {}

    /**
     * softmax(q kᵀ · scale + bias) v.
     *
     * @param q     (B, H, T, hd)
     * @param k     (B, H, S, hd)
     * @param v     (B, H, S, hd)
     * @param bias  additive mask (B or 1, 1, T, S): 0 where allowed, very negative where not; null for none
     * @return (B, H, T, hd)
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray bias, NDArray scale) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale); // (B, H, T, S)
        if (bias != null) {
            scores = scores.add(bias);
        }
        return scores.softmax(-1).matMul(v);
    }

    /** (B, T, H·hd) → (B, H, T, hd). */
    public static NDArray splitHeads(NDArray x, long batch, long time, long heads, long headDim) {
        return x.reshape(batch, time, heads, headDim).transpose(0, 2, 1, 3);
    }

    /** (B, H, T, hd) → (B, T, H·hd). */
    public static NDArray mergeHeads(NDArray x, long batch, long time, long width) {
        return x.transpose(0, 2, 1, 3).reshape(batch, time, width);
    }
}
