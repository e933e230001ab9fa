package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Scaled dot-product attention shared by both families. */
public final class Attention {
    /**
     * Score-matrix sizes (B·H·T·S) from which libtorch's fused attention replaces the chain of
     * operators: the chain's every intermediate (scores, scaled, masked, softmax) stays in the
     * step's manager until the step ends, four B·H·T·S tensors per layer (at batch 4 × 512 on a
     * Qwen2.5-0.5B shape, ~5.6 GB); the fused kernel keeps only what its backward needs.
     */
    static final long FUSED_FROM = 1 << 16;

    private static final String SOURCE = """
            class Sdpa(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Sdpa, q: Tensor, k: Tensor, v: Tensor, bias: Tensor, scale: Tensor) -> Tensor:
                mask : Optional[Tensor] = None
                if bias.numel() > 0:
                  mask = bias
                return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=float(scale.item()))
            """;

    private Attention() {}

    /** The same as {@link #scaledDotProduct}, as libtorch's fused kernel (with its own backward). */
    static NDArray fused(NDArray q, NDArray k, NDArray v, NDArray bias, NDArray scale) {
        NDArray mask = bias == null ? q.getManager().zeros(new Shape(0)) : bias;
        return TorchScript.forward(TorchScript.shared("Sdpa", () -> SOURCE), q, k, v, mask, scale).singletonOrThrow();
    }

    /**
     * softmax(q kᵀ · scale + bias) v: as operators for small sizes, as libtorch's fused kernel from
     * {@link #FUSED_FROM} on.
     *
     * @param q     (B, H, T, hd)
     * @param k     (B, H, S, hd)
     * @param v     (B, H, S, hd)
     * @param bias  additive mask (B or 1, 1, T, S): 0 where allowed, very negative where not; null for none
     * @return (B, H, T, hd)
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray bias, NDArray scale) {
        Shape qs = q.getShape();
        if (qs.get(0) * qs.get(1) * qs.get(2) * k.getShape().get(2) >= FUSED_FROM) {
            return fused(q, k, v, bias, scale);
        }
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
