package dev.scales.core.model.llama;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.Attention;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.Linear;
import dev.scales.core.model.nn.Scalars;

/**
 * {@code self_attn}: q/k/v/o projections, RoPE on q and k, grouped-query attention (each group
 * of H/KV query heads shares one key/value head, as HF's repeat_kv).
 */
public final class LlamaAttention extends HfBlock {
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear oProj;
    private final long heads;
    private final long kvHeads;
    private final long headDim;
    private final NDArray scale;

    public LlamaAttention(ModelConfig c, Scalars scalars) {
        heads = c.numHeads();
        kvHeads = c.numKvHeads();
        headDim = c.headDim();
        long width = c.hiddenSize();
        scale = scalars.of((float) (1.0 / Math.sqrt(headDim)));
        qProj = child("q_proj", new Linear(width, heads * headDim, c.qkvBias()));
        kProj = child("k_proj", new Linear(width, kvHeads * headDim, c.qkvBias()));
        vProj = child("v_proj", new Linear(width, kvHeads * headDim, c.qkvBias()));
        oProj = child("o_proj", new Linear(heads * headDim, width, c.outputBias()));
    }

    /** x (B, T, C), rope cos/sin (B, 1, T, hd), bias (B|1, 1, T, S) or null → (B, T, C). */
    public NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray bias, KvCache cache, int layer) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray q = Attention.splitHeads(qProj.forward(x), b, t, heads, headDim); // (B, H, T, hd)
        NDArray k = Attention.splitHeads(kProj.forward(x), b, t, kvHeads, headDim); // (B, KV, T, hd)
        NDArray v = Attention.splitHeads(vProj.forward(x), b, t, kvHeads, headDim);
        q = RotaryEmbedding.apply(q, cos, sin);
        k = RotaryEmbedding.apply(k, cos, sin);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v); // (B, KV, S, hd)
            k = kv[0];
            v = kv[1];
        }
        if (kvHeads != heads) {
            k = k.repeat(1, heads / kvHeads); // (B, H, S, hd): head h reads kv head h / (H/KV)
            v = v.repeat(1, heads / kvHeads);
        }
        NDArray y = Attention.scaledDotProduct(q, k, v, bias, scale); // (B, H, T, hd)
        return oProj.forward(Attention.mergeHeads(y, b, t, heads * headDim));
    }
}
