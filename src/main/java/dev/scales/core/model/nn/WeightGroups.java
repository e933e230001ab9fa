package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's groups of weights multiplied by the same input (a Llama layer's q, k and v; its gate
 * and up), which the loader lays out one after another in one allocation (decision 0026): each
 * weight stays a parameter of its own (a view of its rows), and the group's joined matrix is kept
 * here, so that inference multiplies the input by the whole group at once.
 */
public final class WeightGroups {
    private final List<List<String>> groups = new ArrayList<>();
    private final List<NDArray> joined = new ArrayList<>();

    /** Adds a group by its weights' state-dict names, in row order; returns its index. */
    public int add(String... weightNames) {
        groups.add(List.of(weightNames));
        joined.add(null);
        return groups.size() - 1;
    }

    /** Every group's weight names, by index. */
    public List<List<String>> names() {
        return List.copyOf(groups);
    }

    /** Records the matrix whose rows the group's weights are views of (the loader, once). */
    public synchronized void setJoined(int group, NDArray matrix) {
        joined.set(group, matrix);
    }

    /** The group's joined matrix, or null when its weights were not laid out together. */
    public synchronized NDArray joined(int group) {
        return joined.get(group);
    }
}
