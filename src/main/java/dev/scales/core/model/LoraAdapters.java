package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.LoraAdapter;
import dev.scales.core.model.nn.Projection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A set of LoRA adapters attached to a model's projections. The base weights are untouched
 * (and should be frozen while training); {@link #merge()} folds the adapters into them,
 * {@link #close()} detaches them and frees their tensors.
 */
public final class LoraAdapters implements AutoCloseable {
    private final NDManager manager;
    private final LoraConfig config;
    private final Map<String, Projection> modules = new LinkedHashMap<>();
    private final Map<String, LoraAdapter> adapters = new LinkedHashMap<>();

    private LoraAdapters(NDManager manager, LoraConfig config) {
        this.manager = manager;
        this.config = config;
    }

    /** Attaches a fresh adapter to every projection whose name's last part is a target. */
    public static LoraAdapters attach(LoadedModel model, LoraConfig config, long seed) {
        CausalLm lm = model.lm();
        LoraAdapters set = new LoraAdapters(model.manager().newSubManager(), config);
        Random random = new Random(seed);
        List<String> unmatched = new ArrayList<>(config.targets());
        for (Map.Entry<String, HfBlock> e : lm.block().namedBlocks().entrySet()) {
            String last = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
            if (e.getValue() instanceof Projection p && config.targets().contains(last)) {
                if (p.lora() != null) {
                    set.close();
                    throw new ScalesException(e.getKey() + " already has a LoRA adapter");
                }
                LoraAdapter a = new LoraAdapter(set.manager, p.inFeatures(), p.outFeatures(), config.rank(),
                        config.alpha(), config.dropout(), random);
                p.setLora(a);
                set.modules.put(e.getKey(), p);
                set.adapters.put(e.getKey(), a);
                unmatched.remove(last);
            }
        }
        if (!unmatched.isEmpty()) {
            set.close();
            throw new ScalesException("no module named " + String.join(", ", unmatched) + " in "
                    + lm.config().modelType() + "; LoRA targets for it are e.g. "
                    + String.join(", ", LoraConfig.defaultTargets(lm.config().architecture())));
        }
        return set;
    }

    public LoraConfig config() {
        return config;
    }

    /** Adapters by module path. */
    public Map<String, LoraAdapter> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    /** The trainable arrays, A then B for each adapter. */
    public List<NDArray> parameters() {
        List<NDArray> p = new ArrayList<>();
        adapters.values().forEach(a -> {
            p.add(a.loraA());
            p.add(a.loraB());
        });
        return p;
    }

    public void setTraining(boolean on) {
        adapters.values().forEach(a -> a.setTraining(on));
    }

    /** W ← W + B A · α/r for every adapted projection, then detaches the adapters. */
    public void merge() {
        GradMode.inference();
        modules.forEach((name, p) -> {
            LoraAdapter a = adapters.get(name);
            try (NDManager scope = manager.newSubManager()) {
                NDArray delta = a.delta();
                delta.attach(scope);
                p.weight().getArray().addi(delta);
            }
            p.setLora(null);
        });
        modules.clear();
    }

    @Override
    public void close() {
        modules.values().forEach(p -> p.setLora(null));
        modules.clear();
        manager.close();
    }
}
