package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;

/** {@code nn.Embedding}: rows of a [count, dim] table looked up by id. */
public final class Embedding extends HfBlock {
    private final Parameter weight;
    private final long dim;

    public Embedding(long count, long dim) {
        this.dim = dim;
        weight = param("weight", new Shape(count, dim), Parameter.Type.WEIGHT);
    }

    /** ids (B, T) int64 → (B, T, dim). */
    @Override
    public NDArray forward(NDArray ids) {
        return ai.djl.nn.core.Embedding.embedding(ids, weight.getArray(), SparseFormat.DENSE).singletonOrThrow();
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[0].add(dim)};
    }
}
