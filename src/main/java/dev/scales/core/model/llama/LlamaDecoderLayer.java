package dev.scales.core.model.llama;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.RmsNorm;
import dev.scales.core.model.nn.Scalars;

/** One layer {@code model.layers.i}: RMSNorm → attention → residual, RMSNorm → MLP → residual. */
public final class LlamaDecoderLayer extends HfBlock {
    private final RmsNorm inputLayernorm;
    private final LlamaAttention selfAttn;
    private final RmsNorm postAttentionLayernorm;
    private final LlamaMlp mlp;
    private final int layer;

    public LlamaDecoderLayer(ModelConfig c, int layer, Scalars scalars) {
        this.layer = layer;
        selfAttn = child("self_attn", new LlamaAttention(c, scalars));
        mlp = child("mlp", new LlamaMlp(c));
        inputLayernorm = child("input_layernorm", new RmsNorm(c.hiddenSize(), c.normEps(), scalars));
        postAttentionLayernorm = child("post_attention_layernorm", new RmsNorm(c.hiddenSize(), c.normEps(), scalars));
    }

    public NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray bias, KvCache cache) {
        NDArray h = x.add(selfAttn.forward(inputLayernorm.forward(x), cos, sin, bias, cache, layer));
        return h.add(mlp.forward(postAttentionLayernorm.forward(h)));
    }
}
