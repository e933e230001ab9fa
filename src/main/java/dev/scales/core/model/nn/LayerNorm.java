package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** {@code nn.LayerNorm} over the last axis, with weight and bias. */
public final class LayerNorm extends HfBlock {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalized;
    private final float eps;

    public LayerNorm(long size, double eps) {
        this.normalized = new Shape(size);
        this.eps = (float) eps;
        weight = param("weight", normalized, Parameter.Type.GAMMA);
        bias = param("bias", normalized, Parameter.Type.BETA);
    }

    @Override
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight.getArray(), bias.getArray(), eps)
                .singletonOrThrow();
    }
}
