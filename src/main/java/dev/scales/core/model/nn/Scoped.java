package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Runs a block on {@code x} with every array it makes (its results land in the manager of their
 * first operand, which is {@code x} or one made from it) in a scope closed at the end; only the
 * output joins {@code x}'s manager. In training, autograd keeps the tensors the backward pass needs
 * by its own references; the handles of every other intermediate would otherwise hold their memory
 * until the whole step ends — on a 30-layer model, most of a step's memory.
 */
public final class Scoped {
    private Scoped() {}

    public static NDArray apply(NDArray x, UnaryOperator<NDArray> block) {
        NDManager parent = x.getManager();
        try (NDManager scope = parent.newSubManager()) {
            x.tempAttach(scope);
            NDArray y = block.apply(x);
            y.attach(parent);
            return y;
        }
    }
}
