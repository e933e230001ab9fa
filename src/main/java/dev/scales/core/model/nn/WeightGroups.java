package dev.scales.core.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * A model's groups of weights multiplied by the same input (a Llama layer's q, k and v; its gate
 * and up), which the loader lays out one after another in one allocation (decision 0026): each
 * weight stays a parameter of its own (a view of its rows), and the group's joined matrix is kept
 * here, so that inference multiplies the input by the whole group at once.
 */
public final class WeightGroups {
    private final List<List<String>> groups = new ArrayList<>();
    private final List<NDArray> joined = new ArrayList<>();
    private final List<NDArray[]> parts = new ArrayList<>();

    /** Adds a group by its weights' state-dict names, in row order; returns its index. */
    public int add(String... weightNames) {
        groups.add(List.of(weightNames));
        joined.add(null);
        parts.add(null);
        return groups.size() - 1;
    }

    /** Every group's weight names, by index. */
    public List<List<String>> names() {
        return List.copyOf(groups);
    }

    /** Records the matrix whose rows the group's weights' arrays {@code views} are (the loader, once). */
    public synchronized void setJoined(int group, NDArray matrix, NDArray... views) {
        joined.set(group, matrix);
        parts.set(group, views);
    }

    /**
     * The group's joined matrix, or null when its weights were not laid out together or no longer
     * are: DJL's {@code NDArray.set(Buffer)} gives an array new memory instead of writing into its
     * own, which would leave the joined matrix behind (checked by address on the CPU; elsewhere
     * weights are only written in place).
     */
    public synchronized NDArray joined(int group) {
        NDArray matrix = joined.get(group);
        if (matrix == null || matrix.isReleased()) {
            return null;
        }
        if (!matrix.getDevice().getDeviceType().equals(Device.Type.CPU)) {
            return matrix;
        }
        long at = address(matrix);
        for (NDArray part : parts.get(group)) {
            if (at < 0 || part.isReleased() || address(part) != at) {
                return null;
            }
            at += part.size() * Float.BYTES;
        }
        return matrix;
    }

    /** Where the array's memory starts, or -1 when that cannot be read (then the group's parts are multiplied apart). */
    private static long address(NDArray a) {
        FloatBuffer memory = BlasDecode.floats(a);
        try {
            return memory == null ? -1 : new Pointer(memory).address();
        } catch (LinkageError e) { // JavaCPP's native part missing on this platform
            return -1;
        }
    }
}
