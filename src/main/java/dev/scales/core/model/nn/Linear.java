package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** HF {@code nn.Linear}: y = x Wᵀ + b, weight [out, in]. */
public final class Linear extends HfBlock {
    private final Parameter weight;
    private final Parameter bias;
    private final long out;

    public Linear(long in, long out, boolean withBias) {
        this.out = out;
        weight = param("weight", new Shape(out, in), Parameter.Type.WEIGHT);
        bias = withBias ? param("bias", new Shape(out), Parameter.Type.BIAS) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        return bias == null ? ai.djl.nn.core.Linear.linear(x, weight.getArray()).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight.getArray(), bias.getArray()).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[0].slice(0, in[0].dimension() - 1).add(out)};
    }
}
