package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.scales.core.model.nn.HfBlock;
import java.util.List;
import java.util.Map;

/**
 * Gives a model's parameters their arrays, placing the weights its family multiplies by the same
 * input (a Llama layer's q, k and v; gate and up) one after another in one allocation, each
 * parameter a view of its rows. A decoded token can then read each group with one matrix–vector
 * product instead of two or three (decision 0026); everything else sees separate parameters as before.
 */
final class WeightLayout {
    private WeightLayout() {}

    /** Sets every weight's array from {@code arrays}, whose grouped arrays are replaced by views of one (and closed). */
    static void install(CausalLm lm, Map<HfBlock.Weight, NDArray> arrays) {
        Map<String, HfBlock.Weight> byName = lm.namedParameters();
        for (List<String> group : lm.weightsLaidOutTogether()) {
            HfBlock.Weight[] weights = group.stream().map(byName::get).toArray(HfBlock.Weight[]::new);
            NDArray[] parts = new NDArray[weights.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = arrays.get(weights[i]);
            }
            if (!stackable(parts)) {
                continue;
            }
            long[] splits = new long[parts.length - 1];
            long rows = 0;
            for (int i = 0; i < splits.length; i++) {
                rows += parts[i].getShape().get(0);
                splits[i] = rows;
            }
            try (NDArray joined = NDArrays.concat(new NDList(parts), 0)) {
                NDList views = joined.split(splits, 0); // views: the storage outlives the joined array's handle
                for (int i = 0; i < parts.length; i++) {
                    arrays.put(weights[i], views.get(i));
                    parts[i].close();
                }
            }
        }
        arrays.forEach((w, a) -> w.parameter().setArray(a));
    }

    /** True when the arrays are matrices with the same columns, type and device. */
    private static boolean stackable(NDArray[] parts) {
        for (NDArray p : parts) {
            if (p == null || p.getShape().dimension() != 2 || p.getShape().get(1) != parts[0].getShape().get(1)
                    || p.getDataType() != parts[0].getDataType() || !p.getDevice().equals(parts[0].getDevice())) {
                return false;
            }
        }
        return true;
    }
}
