package dev.scales.core.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.LayerNorm;
import dev.scales.core.model.nn.Scalars;

/** One GPT-2 layer {@code h.i}: pre-norm attention and MLP, each with a residual connection. */
public final class Gpt2Block extends HfBlock {
    private final LayerNorm ln1;
    private final Gpt2Attention attn;
    private final LayerNorm ln2;
    private final Gpt2Mlp mlp;
    private final int layer;

    public Gpt2Block(ModelConfig c, int layer, Scalars scalars) {
        this.layer = layer;
        ln1 = child("ln_1", new LayerNorm(c.hiddenSize(), c.normEps()));
        attn = child("attn", new Gpt2Attention(c.hiddenSize(), c.numHeads(), scalars));
        ln2 = child("ln_2", new LayerNorm(c.hiddenSize(), c.normEps()));
        mlp = child("mlp", new Gpt2Mlp(c.hiddenSize(), c.intermediateSize(), c.activation().equals("gelu"), scalars));
    }

    public NDArray forward(NDArray x, NDArray bias, KvCache cache) {
        NDArray h = x.add(attn.forward(ln1.forward(x), bias, cache, layer));
        return h.add(mlp.forward(ln2.forward(h)));
    }
}
