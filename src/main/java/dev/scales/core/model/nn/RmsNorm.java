package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** Llama's RMSNorm: x / sqrt(mean(x²) + eps) · weight, over the last axis. */
public final class RmsNorm extends HfBlock {
    private final Parameter weight;
    private final NDArray eps;

    public RmsNorm(long size, double eps, Scalars scalars) {
        this.eps = scalars.of((float) eps);
        weight = param("weight", new Shape(size), Parameter.Type.GAMMA);
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray meanSquare = x.mul(x).mean(new int[] {-1}, true); // (B, T, 1)
        return x.div(meanSquare.add(eps).sqrt()).mul(weight.getArray());
    }
}
