package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.WeightGroups;
import java.util.List;
import java.util.Map;

/**
 * Gives a model's parameters their arrays, laying each of its {@link WeightGroups} out in one
 * allocation: the group's weights one after another, each parameter a view of its rows
 * (decision 0026). Everything that reads a parameter sees it as before.
 */
final class WeightLayout {
    private WeightLayout() {}

    /** Sets every weight's array from {@code arrays}; a group's arrays are replaced by views of one (and closed). */
    static void install(CausalLm lm, Map<HfBlock.Weight, NDArray> arrays) {
        Map<String, HfBlock.Weight> byName = lm.namedParameters();
        WeightGroups groups = lm.weightGroups();
        List<List<String>> names = groups.names();
        for (int g = 0; g < names.size(); g++) {
            HfBlock.Weight[] weights = names.get(g).stream().map(byName::get).toArray(HfBlock.Weight[]::new);
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
            NDArray joined = NDArrays.concat(new NDList(parts), 0);
            NDList views = joined.split(splits, 0);
            for (int i = 0; i < parts.length; i++) {
                arrays.put(weights[i], views.get(i));
                parts[i].close();
            }
            groups.setJoined(g, joined, views.toArray(new NDArray[0]));
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
