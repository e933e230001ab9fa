package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * Scalar constants as tensors that live as long as the model. DJL's {@code add(Number)} and
 * friends wrap the number in a temporary tensor that autograd keeps but DJL frees: after a GC
 * the backward pass reads freed memory (found crashing the JVM). Every constant in a differentiated
 * expression comes from here instead.
 */
public final class Scalars {
    private final NDManager manager;
    private final Map<Float, NDArray> cache = new HashMap<>();
    private final NDArray none;

    public Scalars(NDManager manager) {
        this.manager = manager;
        this.none = manager.zeros(new Shape(0));
    }

    /** A tensor with no elements, standing for an absent argument of a compiled script. */
    public NDArray none() {
        return none;
    }

    public synchronized NDArray of(float value) {
        return cache.computeIfAbsent(value, v -> manager.full(new Shape(), v));
    }
}
