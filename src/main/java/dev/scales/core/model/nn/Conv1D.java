package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * GPT-2's {@code Conv1D}: a linear layer whose checkpoint weight is [in, out] (y = x W + b).
 * The weight is held here as [out, in] — transposed once at load and back at save — so the
 * forward is the same fused {@code linear} call as {@link Linear}.
 */
public final class Conv1D extends HfBlock {
    private final Parameter weight;
    private final Parameter bias;
    private final long out;

    public Conv1D(long in, long out) {
        this.out = out;
        weight = param("weight", new Shape(out, in), Parameter.Type.WEIGHT, true);
        bias = param("bias", new Shape(out), Parameter.Type.BIAS);
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.getArray(), bias.getArray()).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[0].slice(0, in[0].dimension() - 1).add(out)};
    }
}
