package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block named after a HuggingFace module. Its parameters and children are registered
 * under the state-dict names (so {@link #namedParameters()} yields e.g.
 * {@code transformer.h.0.attn.c_attn.weight}), each with the shape it must have.
 */
public abstract class HfBlock extends AbstractBlock {
    private final Map<String, Weight> own = new LinkedHashMap<>();
    private final Map<String, HfBlock> children = new LinkedHashMap<>();

    /**
     * A parameter with its full HF name and expected shape. {@code transposed} marks weights held
     * as [out, in] that the checkpoint stores as [in, out] (GPT-2's Conv1D).
     */
    public record Weight(String name, Parameter parameter, Shape shape, boolean transposed) {
        public NDArray array() {
            return parameter.getArray();
        }
    }

    protected final Parameter param(String name, Shape shape, Parameter.Type type) {
        return param(name, shape, type, false);
    }

    protected final Parameter param(String name, Shape shape, Parameter.Type type, boolean transposed) {
        Parameter p = Parameter.builder().setName(name).setType(type).build();
        addParameter(p);
        own.put(name, new Weight(name, p, shape, transposed));
        return p;
    }

    protected final <B extends HfBlock> B child(String name, B block) {
        addChildBlock(name, block);
        children.put(name, block);
        return block;
    }

    /** Every parameter under this block, by HF state-dict name, in module order. */
    public final Map<String, Weight> namedParameters() {
        Map<String, Weight> all = new LinkedHashMap<>();
        collect("", all);
        return all;
    }

    private void collect(String prefix, Map<String, Weight> into) {
        own.forEach((n, w) -> into.put(prefix + n, new Weight(prefix + n, w.parameter(), w.shape(), w.transposed())));
        children.forEach((n, b) -> b.collect(prefix + n + ".", into));
    }

    /** Every block under this one (itself excluded), by module path such as {@code model.layers.0.self_attn.q_proj}. */
    public final Map<String, HfBlock> namedBlocks() {
        Map<String, HfBlock> all = new LinkedHashMap<>();
        children.forEach((n, b) -> {
            all.put(n, b);
            b.namedBlocks().forEach((sub, block) -> all.put(n + "." + sub, block));
        });
        return all;
    }

    /** The single-input forward of this block; multi-input blocks override {@link #forwardInternal}. */
    public NDArray forward(NDArray x) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes more than one input");
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return new NDList(forward(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
