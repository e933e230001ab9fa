package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * What {@link Linear} and {@link Conv1D} share: y = x Wᵀ + b with W held as [out, in], and an
 * optional LoRA adapter added to the output (the base weights stay as they are).
 */
public abstract class Projection extends HfBlock {
    private final Parameter weight;
    private final Parameter bias;
    private final long in;
    private final long out;
    private LoraAdapter lora;

    protected Projection(long in, long out, boolean withBias, boolean storedTransposed) {
        this.in = in;
        this.out = out;
        weight = param("weight", new Shape(out, in), Parameter.Type.WEIGHT, storedTransposed);
        bias = withBias ? param("bias", new Shape(out), Parameter.Type.BIAS) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray y;
        if (ConvProduct.worthIt(x, out)) {
            y = ConvProduct.apply(x, weight.getArray(), bias == null ? x.getManager().zeros(new Shape(0)) : bias.getArray());
        } else {
            y = bias == null ? ai.djl.nn.core.Linear.linear(x, weight.getArray()).singletonOrThrow()
                    : ai.djl.nn.core.Linear.linear(x, weight.getArray(), bias.getArray()).singletonOrThrow();
        }
        return lora == null ? y : y.add(lora.forward(x));
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when the projection has none. */
    public Parameter bias() {
        return bias;
    }

    /** The weight [out, in] when it is the whole projection (no bias, no adapter), else null. */
    public NDArray plainWeight() {
        return bias == null && lora == null ? weight.getArray() : null;
    }

    public LoraAdapter lora() {
        return lora;
    }

    /** Attaches (or with null, detaches) a LoRA adapter. */
    public void setLora(LoraAdapter adapter) {
        if (adapter != null && (adapter.inFeatures() != in || adapter.outFeatures() != out)) {
            throw new IllegalArgumentException("adapter " + adapter.inFeatures() + "→" + adapter.outFeatures()
                    + " does not fit a " + in + "→" + out + " projection");
        }
        this.lora = adapter;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0].slice(0, inputs[0].dimension() - 1).add(out)};
    }
}
