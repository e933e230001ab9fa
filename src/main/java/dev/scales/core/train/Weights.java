package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.nn.HfBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of some of a model's tensors — every weight before a full fine-tune, so that a failed run
 * can put them back; the trained ones at the best evaluation, so that early stopping can — put back
 * in place, into the same tensors, so everything that holds them sees the copied values.
 */
final class Weights implements AutoCloseable {
    private final NDManager manager;
    private final List<NDArray> originals = new ArrayList<>();
    private final List<NDArray> copies = new ArrayList<>();

    private Weights(NDManager manager) {
        this.manager = manager;
    }

    static Weights copyOf(LoadedModel model) {
        return copyOf(model.manager(), model.lm().namedParameters().values().stream().map(HfBlock.Weight::array).toList());
    }

    /** Copies of {@code arrays}, held in a sub-manager of {@code parent}. */
    static Weights copyOf(NDManager parent, List<NDArray> arrays) {
        Weights w = new Weights(parent.newSubManager());
        try {
            w.take(arrays);
        } catch (RuntimeException | Error e) {
            w.close();
            throw e;
        }
        return w;
    }

    /** Copies {@code arrays} again, replacing what was copied before (the same arrays). */
    void update(List<NDArray> arrays) {
        copies.forEach(NDArray::close);
        copies.clear();
        originals.clear();
        take(arrays);
    }

    private void take(List<NDArray> arrays) {
        for (NDArray a : arrays) {
            NDArray copy = a.duplicate();
            copy.attach(manager);
            originals.add(a);
            copies.add(copy);
        }
    }

    /** Every copied tensor as it was when copied, bit for bit. */
    void restore() {
        GradMode.inference();
        NDIndex all = new NDIndex("...");
        for (int i = 0; i < copies.size(); i++) {
            originals.get(i).set(all, copies.get(i));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
