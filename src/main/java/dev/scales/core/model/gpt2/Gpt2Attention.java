package dev.scales.core.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.nn.Attention;
import dev.scales.core.model.nn.Conv1D;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.Scalars;

/** GPT-2's {@code attn}: fused q/k/v projection {@code c_attn}, causal attention, {@code c_proj}. */
public final class Gpt2Attention extends HfBlock {
    private final Conv1D cAttn;
    private final Conv1D cProj;
    private final long width;
    private final long heads;
    private final NDArray scale;

    public Gpt2Attention(long width, long heads, Scalars scalars) {
        this.width = width;
        this.heads = heads;
        this.scale = scalars.of((float) (1.0 / Math.sqrt((double) width / heads)));
        cAttn = child("c_attn", new Conv1D(width, 3 * width));
        cProj = child("c_proj", new Conv1D(width, width));
    }

    /** x (B, T, C), bias (B|1, 1, T, S) or null, cache for this layer or null → (B, T, C). */
    public NDArray forward(NDArray x, NDArray bias, KvCache cache, int layer) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long hd = width / heads;
        NDList qkv = cAttn.forward(x).split(3, 2); // 3 × (B, T, C)
        NDArray q = Attention.splitHeads(qkv.get(0), b, t, heads, hd); // (B, H, T, hd)
        NDArray k = Attention.splitHeads(qkv.get(1), b, t, heads, hd);
        NDArray v = Attention.splitHeads(qkv.get(2), b, t, heads, hd);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v); // (B, H, S, hd)
            k = kv[0];
            v = kv[1];
        }
        NDArray y = Attention.scaledDotProduct(q, k, v, bias, scale); // (B, H, T, hd)
        return cProj.forward(Attention.mergeHeads(y, b, t, width));
    }
}
