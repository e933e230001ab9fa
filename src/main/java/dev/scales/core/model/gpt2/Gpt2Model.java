package dev.scales.core.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.CausalLm;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.BlockList;
import dev.scales.core.model.nn.Embedding;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.LayerNorm;
import dev.scales.core.model.nn.Scalars;

/**
 * GPT-2 ({@code GPT2LMHeadModel}): {@code transformer} holds wte, wpe, the layers h and ln_f;
 * the output head reuses wte (tied), so it has no weight of its own.
 */
public final class Gpt2Model extends HfBlock implements CausalLm {
    private final ModelConfig config;
    private final Transformer transformer;

    public Gpt2Model(ModelConfig config, Scalars scalars) {
        this.config = config;
        transformer = child("transformer", new Transformer(config, scalars));
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
        NDArray x = transformer.wte.forward(ids).add(transformer.wpe.forward(positions)); // (B, T, C)
        for (Gpt2Block block : transformer.h.items()) {
            x = block.forward(x, bias, cache);
        }
        if (lastOnly) {
            x = x.get(":, -1:, :"); // (B, 1, C)
        }
        x = transformer.lnF.forward(x);
        return ai.djl.nn.core.Linear.linear(x, transformer.wte.weight().getArray()).singletonOrThrow(); // (B, T, V)
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
