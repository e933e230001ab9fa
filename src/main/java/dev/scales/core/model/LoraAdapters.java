package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.model.safetensors.SafetensorsWriter;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** rsLoRA (Kalajdzievski 2023): the update is scaled by α/√r instead of α/r. */
    private final boolean rsLora;
    private boolean active = true;

    private LoraAdapters(NDManager manager, LoraConfig config, boolean rsLora) {
        this.manager = manager;
        this.config = config;
        this.rsLora = rsLora;
    }

    /** Attaches a fresh adapter to every projection whose name's last part is a target. */
    public static LoraAdapters attach(LoadedModel model, LoraConfig config, long seed) {
        return attach(model, config, LoraTargets.names(config.targets()), false, seed);
    }

    private static LoraAdapters attach(LoadedModel model, LoraConfig config, LoraTargets targets, boolean rsLora,
                                       long seed) {
        CausalLm lm = model.lm();
        LoraAdapters set = new LoraAdapters(model.manager().newSubManager(), config, rsLora);
        Random random = new Random(seed);
        float scale = (float) (config.alpha() / (rsLora ? Math.sqrt(config.rank()) : config.rank()));
        for (Map.Entry<String, HfBlock> e : lm.block().namedBlocks().entrySet()) {
            if (e.getValue() instanceof Projection p && targets.matches(e.getKey())) {
                if (p.lora() != null) {
                    set.close();
                    throw new ScalesException(e.getKey() + " already has a LoRA adapter");
                }
                LoraAdapter a = new LoraAdapter(set.manager, p.inFeatures(), p.outFeatures(), config.rank(), scale,
                        config.dropout(), random);
                p.setLora(a);
                set.modules.put(e.getKey(), p);
                set.adapters.put(e.getKey(), a);
            }
        }
        List<String> unmatched = targets.unmatched(set.modules.keySet());
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

    /** Whether the adapters act on the model's outputs (they do from {@link #attach} on). */
    public boolean isActive() {
        return active && !modules.isEmpty();
    }

    /**
     * Takes the adapters off the model, keeping their tensors, or puts them back: the model then
     * computes with its base weights, or as fine-tuned, without a copy of either. Fails, changing
     * nothing, when another adapter sits on one of the projections.
     */
    public void setActive(boolean on) {
        if (on == active) {
            return;
        }
        if (on) {
            modules.forEach((name, p) -> {
                if (p.lora() != null) {
                    throw new ScalesException(name + " already carries another LoRA adapter; take it off first");
                }
            });
        }
        modules.forEach((name, p) -> p.setLora(on ? adapters.get(name) : null));
        active = on;
    }

    public void setTraining(boolean on) {
        adapters.values().forEach(a -> a.setTraining(on));
    }

    /** W ← W + B A · α/r for every adapted projection, then detaches the adapters. */
    public void merge() {
        if (!active) {
            throw new IllegalStateException("the adapters are off the model; put them back before merging");
        }
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

    /** PEFT's name for a tensor of the adapter on {@code module}: base_model.model.&lt;module&gt;.lora_A.weight. */
    static String peftName(String module, String which) {
        return "base_model.model." + module + "." + which + ".weight";
    }

    /**
     * Writes the adapters in PEFT's layout — {@code adapter_config.json} and
     * {@code adapter_model.safetensors} with PEFT's tensor names — so {@code PeftModel.from_pretrained}
     * loads them on the same base model.
     */
    public void save(Path dir, LoadedModel base) {
        try {
            Files.createDirectories(dir);
            JsonObject cfg = new JsonObject();
            cfg.addProperty("peft_type", "LORA");
            cfg.addProperty("task_type", "CAUSAL_LM");
            cfg.addProperty("r", config.rank());
            cfg.addProperty("lora_alpha", config.alpha());
            cfg.addProperty("lora_dropout", config.dropout());
            JsonArray targets = new JsonArray();
            List<String> projections = base.lm().block().namedBlocks().entrySet().stream()
                    .filter(e -> e.getValue() instanceof Projection).map(Map.Entry::getKey).toList();
            LoraTargets.asList(adapters.keySet(), projections).forEach(targets::add);
            cfg.add("target_modules", targets);
            cfg.addProperty("bias", "none");
            // GPT-2's Conv1D stores weights as [in, out]: PEFT must know to transpose when merging.
            cfg.addProperty("fan_in_fan_out", base.config().architecture().conv1dWeights());
            cfg.addProperty("base_model_name_or_path", base.folder().toString());
            cfg.addProperty("inference_mode", true);
            cfg.addProperty("use_rslora", rsLora);
            AtomicFiles.writeString(dir.resolve("adapter_config.json"),
                    new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(cfg));
            Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
            adapters.forEach((module, a) -> {
                tensors.put(peftName(module, "lora_A"), tensor(a.loraA()));
                tensors.put(peftName(module, "lora_B"), tensor(a.loraB()));
            });
            SafetensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        } catch (IOException e) {
            throw new ScalesException(dir + ": cannot save the adapter: " + e.getMessage(), e);
        }
    }

    private static SafetensorsWriter.Tensor tensor(NDArray a) {
        return new SafetensorsWriter.Tensor(java.nio.FloatBuffer.wrap(a.toFloatArray()), a.getShape().getShape(),
                dev.scales.core.model.safetensors.DType.F32);
    }

    /**
     * Reads a PEFT LoRA adapter folder ({@code adapter_config.json}, {@code adapter_model.safetensors})
     * — written by Scales or by HF PEFT — and attaches it to {@code model}. An adapter made for
     * another base is refused with the reason: another model's name in {@code base_model_name_or_path},
     * target modules the model does not have, tensors of other shapes, or tensors for modules it
     * does not adapt. PEFT options Scales does not compute (DoRA, trained biases, fully trained
     * modules, per-layer ranks) are refused by name rather than silently dropped.
     */
    public static LoraAdapters load(LoadedModel model, Path dir) {
        PeftConfig peft = PeftConfig.read(dir, model.config().architecture());
        peft.checkBase(model);
        Path file = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(file)) {
            throw new ScalesException(file + ": missing" + (Files.isRegularFile(dir.resolve("adapter_model.bin"))
                    ? " (adapter_model.bin is a pickle, which Scales does not read; save the adapter with "
                    + "safe_serialization=True)" : ""));
        }
        LoraAdapters set;
        try {
            set = attach(model, peft.lora(), peft.targets(), peft.rsLora(), 0);
        } catch (ScalesException e) {
            throw new ScalesException(dir.resolve("adapter_config.json") + ": " + e.getMessage(), e);
        }
        try (var reader = dev.scales.core.model.safetensors.SafetensorsReader.openFile(file)) {
            java.util.Set<String> unused = new java.util.LinkedHashSet<>(reader.entries().keySet());
            for (Map.Entry<String, LoraAdapter> e : set.adapters.entrySet()) {
                for (String which : List.of("lora_A", "lora_B")) {
                    String name = peftTensor(reader, e.getKey(), which, file);
                    copy(reader, name, which.equals("lora_A") ? e.getValue().loraA() : e.getValue().loraB(), file);
                    unused.remove(name);
                }
            }
            if (!unused.isEmpty()) {
                throw new ScalesException(file + ": " + unused.size() + " tensor(s) for modules " + model.name()
                        + " does not adapt with these targets, e.g. '" + unused.iterator().next() + "'");
            }
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
        return set;
    }

    /** Folds the PEFT adapter in {@code dir} into {@code model}'s weights: the model is then the adapted one. */
    public static void mergeInto(LoadedModel model, Path dir) {
        try (LoraAdapters adapters = load(model, dir)) {
            adapters.merge();
        }
    }

    /** A module's A or B as PEFT saves it (without the adapter's name), or as some tools do (with ".default"). */
    private static String peftTensor(dev.scales.core.model.safetensors.SafetensorsReader reader, String module,
                                     String which, Path file) {
        String plain = peftName(module, which);
        String named = "base_model.model." + module + "." + which + ".default.weight";
        if (reader.entries().containsKey(plain)) {
            return plain;
        }
        if (reader.entries().containsKey(named)) {
            return named;
        }
        throw new ScalesException(file + ": no tensor '" + plain + "': the adapter does not cover " + module
                + ", which its target modules name");
    }

    private static void copy(dev.scales.core.model.safetensors.SafetensorsReader reader, String name, NDArray into,
                             Path file) {
        var entry = reader.entry(name);
        if (!java.util.Arrays.equals(entry.shape(), into.getShape().getShape())) {
            throw new ScalesException(file + ": tensor '" + name + "' has shape " + entry.shapeString() + ", expected "
                    + into.getShape() + " (an adapter for a model of other sizes?)");
        }
        try (NDManager scratch = into.getManager().newSubManager()) {
            // in place: the array keeps its memory (set(float[]) would give it new memory)
            into.set(new ai.djl.ndarray.index.NDIndex("..."), reader.readFloat(name, scratch));
        }
    }

    @Override
    public void close() {
        modules.forEach((name, p) -> {
            if (p.lora() == adapters.get(name)) {
                p.setLora(null);
            }
        });
        modules.clear();
        manager.close();
    }
}
