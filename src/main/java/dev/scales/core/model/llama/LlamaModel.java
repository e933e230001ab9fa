package dev.scales.core.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.model.CausalLm;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.BlockList;
import dev.scales.core.model.nn.BlasDecode;
import dev.scales.core.model.nn.CompiledInference;
import dev.scales.core.model.nn.Embedding;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.Linear;
import dev.scales.core.model.nn.RmsNorm;
import dev.scales.core.model.nn.Scalars;
import dev.scales.core.model.nn.Scoped;
import dev.scales.core.model.nn.WeightGroups;

/**
 * Llama-family causal LM ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}): {@code model}
 * holds embed_tokens, the layers and the final norm; {@code lm_head} is its own weight unless
 * the embeddings are tied.
 */
public final class LlamaModel extends HfBlock implements CausalLm {
    private final ModelConfig config;
    private final Inner model;
    private final Linear lmHead;
    private final RotaryEmbedding rope;
    private final Scalars scalars;
    private final CompiledInference.Slots slots;
    private final LlamaDecode decode;
    private final WeightGroups groups = new WeightGroups();

    public LlamaModel(ModelConfig config, Scalars scalars, NDManager manager) {
        this.config = config;
        this.scalars = scalars;
        model = child("model", new Inner(config, scalars));
        lmHead = config.tieWordEmbeddings() ? null
                : child("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false));
        rope = new RotaryEmbedding(config, manager);
        decode = new LlamaDecode(config, rope);
        slots = new CompiledInference.Slots(this).parameter("model.embed_tokens.weight");
        for (int i = 0; i < config.numLayers(); i++) {
            String l = "model.layers." + i + ".";
            slots.parameter(l + "input_layernorm.weight").parameter(l + "post_attention_layernorm.weight");
            for (String p : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                slots.projection(l + p);
            }
            slots.joined(groups, groups.add(l + "self_attn.q_proj.weight", l + "self_attn.k_proj.weight",
                    l + "self_attn.v_proj.weight"));
            slots.joined(groups, groups.add(l + "mlp.gate_proj.weight", l + "mlp.up_proj.weight"));
        }
        slots.parameter("model.norm.weight");
        if (lmHead == null) {
            slots.tiedHead("model.embed_tokens.weight");
        } else {
            slots.projection("lm_head");
        }
    }

    /** The {@code model} module. */
    static final class Inner extends HfBlock {
        final Embedding embedTokens;
        final BlockList<LlamaDecoderLayer> layers = new BlockList<>();
        final RmsNorm norm;

        Inner(ModelConfig c, Scalars scalars) {
            embedTokens = child("embed_tokens", new Embedding(c.vocabSize(), c.hiddenSize()));
            child("layers", layers);
            for (int i = 0; i < c.numLayers(); i++) {
                layers.add(new LlamaDecoderLayer(c, i, scalars));
            }
            norm = child("norm", new RmsNorm(c.hiddenSize(), c.normEps(), scalars));
        }
    }

    @Override
    public NDArray forward(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly) {
        NDArray decoded = BlasDecode.run(slots, scalars.none(), ids, positions, bias, cache, config.numKvHeads(),
                config.headDim(), decode);
        if (decoded != null) {
            return decoded;
        }
        NDArray compiled = CompiledInference.run(LlamaInference.CLASS, LlamaInference.FORWARD, slots, scalars.none(),
                ids, positions, bias, cache, config.numKvHeads(), config.headDim(), lastOnly,
                (long) config.numLayers(), (long) config.numHeads(), (long) config.numKvHeads(),
                (long) config.headDim(), config.normEps(), 1.0 / Math.sqrt(config.headDim()), rope.cosTable(),
                rope.sinTable());
        if (compiled != null) {
            return compiled;
        }
        NDArray x = states(ids, positions, bias, cache);
        if (lastOnly) {
            x = x.get(":, -1:, :"); // (B, 1, C)
        }
        x = model.norm.forward(x);
        return lmHead != null ? lmHead.forward(x)
                : ai.djl.nn.core.Linear.linear(x, model.embedTokens.weight().getArray()).singletonOrThrow();
    }

    @Override
    public NDArray hiddenStates(NDArray ids, NDArray positions, NDArray bias) {
        return model.norm.forward(states(ids, positions, bias, null));
    }

    @Override
    public NDArray headWeight() {
        return lmHead == null ? model.embedTokens.weight().getArray() : lmHead.plainWeight();
    }

    /** The layers' output (B, T, C), before the final norm, one layer's intermediates at a time. */
    private NDArray states(NDArray ids, NDArray positions, NDArray bias, KvCache cache) {
        if (cache != null) {
            cache.reserve(ids.getShape().get(0), config.numKvHeads(), config.headDim(), ids.getShape().get(1));
        }
        NDArray x = model.embedTokens.forward(ids); // (B, T, C)
        NDArray[] cosSin = rope.lookup(positions); // 2 × (B, 1, T, hd)
        for (LlamaDecoderLayer layer : model.layers.items()) {
            x = Scoped.apply(x, in -> layer.forward(in, cosSin[0], cosSin[1], bias, cache));
        }
        if (cache != null) {
            cache.advance(ids.getShape().get(1));
        }
        return x;
    }

    /** Each layer's q, k and v weights, and its gate and up weights: one product each at inference. */
    @Override
    public WeightGroups weightGroups() {
        return groups;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public HfBlock block() {
        return this;
    }
}
