package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.nn.HfBlock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A copy of every weight of a model, taken before a full fine-tune so that a failed run can put
 * them back: in place, into the same tensors, so everything that holds them sees the old values.
 */
final class Weights implements AutoCloseable {
    private final NDManager manager;
    private final Map<HfBlock.Weight, NDArray> copies = new LinkedHashMap<>();

    private Weights(NDManager manager) {
        this.manager = manager;
    }

    static Weights copyOf(LoadedModel model) {
        Weights w = new Weights(model.manager().newSubManager());
        try {
            for (HfBlock.Weight p : model.lm().namedParameters().values()) {
                NDArray copy = p.array().duplicate();
                copy.attach(w.manager);
                w.copies.put(p, copy);
            }
        } catch (RuntimeException | Error e) {
            w.close();
            throw e;
        }
        return w;
    }

    /** Every weight as it was when copied, bit for bit. */
    void restore() {
        GradMode.inference();
        NDIndex all = new NDIndex("...");
        copies.forEach((p, copy) -> p.array().set(all, copy));
    }

    @Override
    public void close() {
        manager.close();
    }
}
