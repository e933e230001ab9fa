package dev.scales.core.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.CausalLm;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.BlockList;
import dev.scales.core.model.nn.BlasDecode;
import dev.scales.core.model.nn.CompiledInference;
import dev.scales.core.model.nn.Embedding;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.LayerNorm;
import dev.scales.core.model.nn.Linear;
import dev.scales.core.model.nn.Scalars;
import dev.scales.core.model.nn.Scoped;

/**
 * GPT-2 ({@code GPT2LMHeadModel}): {@code transformer} holds wte, wpe, the layers h and ln_f;
 * the output head reuses wte (tied), or is its own {@code lm_head} when the config says
 * {@code "tie_word_embeddings": false}.
 */
public final class Gpt2Model extends HfBlock implements CausalLm {
    private final ModelConfig config;
    private final Transformer transformer;
    private final Scalars scalars;
    private final CompiledInference.Slots slots;
    private final Gpt2Decode decode;
    private final Linear lmHead;

    public Gpt2Model(ModelConfig config, Scalars scalars) {
        this.config = config;
        this.scalars = scalars;
        transformer = child("transformer", new Transformer(config, scalars));
        lmHead = config.tieWordEmbeddings() ? null
                : child("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false));
        decode = Gpt2Decode.supports(config) ? new Gpt2Decode(config) : null;
        slots = new CompiledInference.Slots(this)
                .parameter("transformer.wte.weight").parameter("transformer.wpe.weight");
        for (int i = 0; i < config.numLayers(); i++) {
            String h = "transformer.h." + i + ".";
            slots.parameter(h + "ln_1.weight").parameter(h + "ln_1.bias").projection(h + "attn.c_attn")
                    .projection(h + "attn.c_proj").parameter(h + "ln_2.weight").parameter(h + "ln_2.bias")
                    .projection(h + "mlp.c_fc").projection(h + "mlp.c_proj");
        }
        slots.parameter("transformer.ln_f.weight").parameter("transformer.ln_f.bias");
        if (lmHead == null) {
            slots.tiedHead("transformer.wte.weight");
        } else {
            slots.projection("lm_head");
        }
    }

    /** The {@code transformer} module. */
    static final class Transformer extends HfBlock {
        final Embedding wte;
        final Embedding wpe;
        final BlockList<Gpt2Block> h = new BlockList<>();
        final LayerNorm lnF;

        Transformer(ModelConfig c, Scalars scalars) {
            wte = child("wte", new Embedding(c.vocabSize(), c.hiddenSize()));
            wpe = child("wpe", new Embedding(c.maxPositions(), c.hiddenSize()));
            child("h", h);
            for (int i = 0; i < c.numLayers(); i++) {
                h.add(new Gpt2Block(c, i, scalars));
            }
            lnF = child("ln_f", new LayerNorm(c.hiddenSize(), c.normEps()));
        }
    }

    @Override
    public NDArray forward(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly) {
        long headDim = config.hiddenSize() / config.numHeads();
        NDArray decoded = decode == null ? null
                : BlasDecode.run(slots, scalars.none(), ids, positions, bias, cache, config.numHeads(), headDim, decode);
        if (decoded != null) {
            return decoded;
        }
        NDArray compiled = CompiledInference.run(Gpt2Inference.CLASS, Gpt2Inference.FORWARD, slots, scalars.none(),
                ids, positions, bias, cache, config.numHeads(), headDim, lastOnly, (long) config.numLayers(),
                (long) config.numHeads(), config.normEps(), 1.0 / Math.sqrt(headDim),
                !config.activation().equals("gelu"));
        if (compiled != null) {
            return compiled;
        }
        NDArray x = states(ids, positions, bias, cache);
        if (lastOnly) {
            x = x.get(":, -1:, :"); // (B, 1, C)
        }
        x = transformer.lnF.forward(x);
        return lmHead != null ? lmHead.forward(x) // (B, T, V)
                : ai.djl.nn.core.Linear.linear(x, transformer.wte.weight().getArray()).singletonOrThrow();
    }

    @Override
    public NDArray hiddenStates(NDArray ids, NDArray positions, NDArray bias) {
        return transformer.lnF.forward(states(ids, positions, bias, null));
    }

    @Override
    public NDArray headWeight() {
        return lmHead == null ? transformer.wte.weight().getArray() : lmHead.plainWeight();
    }

    /** The layers' output (B, T, C), before the final norm, one layer's intermediates at a time. */
    private NDArray states(NDArray ids, NDArray positions, NDArray bias, KvCache cache) {
        if (cache != null) {
            cache.reserve(ids.getShape().get(0), config.numHeads(), config.hiddenSize() / config.numHeads(),
                    ids.getShape().get(1));
        }
        NDArray x = transformer.wte.forward(ids).add(transformer.wpe.forward(positions)); // (B, T, C)
        for (Gpt2Block block : transformer.h.items()) {
            x = Scoped.apply(x, in -> block.forward(in, bias, cache));
        }
        if (cache != null) {
            cache.advance(ids.getShape().get(1));
        }
        return x;
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
