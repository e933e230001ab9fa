package dev.scales.core.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.scales.core.Offline;
import dev.scales.core.ScalesException;
import dev.scales.core.device.ModelManager.Entry;
import dev.scales.core.device.ModelManager.Variant;
import dev.scales.core.device.ModelManager.Variants;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.ModelSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link ModelManager}'s registry: the loaded models in load order, the {@link Variant}s each can
 * run as, the variant each model computes with now, the active one new requests run on, and the
 * memory accounted for them. What changes a model's weights runs in that model's lane (the
 * scheduler sees to it); the registry lock guards the lists and the active variant, and listeners
 * are told outside it.
 */
final class ModelRegistry {
    private final AtomicLong ids;
    private final MemoryCheck memory;

    /** Guards the registry: models, variants, which variant each model computes with, the active one. */
    private final Object lock = new Object();
    private final List<Entry> models = new CopyOnWriteArrayList<>();
    private final List<Variant> variants = new CopyOnWriteArrayList<>();
    /** Per model id, the variant whose weights the model computes with now (its base, or a LoRA on it). */
    private final Map<Long, Variant> onModel = new ConcurrentHashMap<>();
    private final List<Consumer<Variants>> variantListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Optional<LoadedModel>>> listeners = new CopyOnWriteArrayList<>();
    /** The variant new requests run on; its model is the current one (null: no model loaded). */
    private volatile Variant activeVariant;

    /** A registry checking memory with {@code memory}, numbering its models and variants from {@code ids}. */
    ModelRegistry(MemoryCheck memory, AtomicLong ids) {
        this.memory = memory;
        this.ids = ids;
        VisibleGpus.COUNT.isDone(); // counting starts now, off the thread that will queue the first load
    }

    /**
     * How many GPUs the CUDA runtime sees, counted once per process on a thread of its own: the
     * first count loads the runtime through JNA (which runs {@code ldconfig}), 40–100 ms that the
     * UI thread queueing a load would otherwise stand still for.
     */
    private static final class VisibleGpus {
        static final java.util.concurrent.CompletableFuture<Integer> COUNT = new java.util.concurrent.CompletableFuture<>();

        static {
            Thread counter = new Thread(() -> {
                try {
                    COUNT.complete(ai.djl.util.cuda.CudaUtils.getGpuCount());
                } catch (RuntimeException | LinkageError e) {
                    COUNT.complete(0); // no CUDA runtime: no GPU
                }
            }, "scales-gpu-count");
            counter.setDaemon(true);
            counter.start();
        }
    }

    /**
     * Loads a folder on a device beside the models already loaded and makes it current; the same
     * folder already loaded on that device is made current instead. In that device's lane; the
     * weights' reading reports to {@code progress} and stops between tensors once {@code cancelled}
     * (see {@link ModelLoader#load(Path, Device, java.util.function.DoubleConsumer, java.util.function.BooleanSupplier)}).
     */
    LoadedModel load(Path folder, String deviceId, java.util.function.DoubleConsumer progress,
                     java.util.function.BooleanSupplier cancelled) {
        Offline.configure();
        var summary = ModelLoader.inspect(folder);
        Device device = device(() -> summary, deviceId, Engine.getEngine("PyTorch").getGpuCount());
        Path absolute = folder.toAbsolutePath().normalize();
        Optional<Entry> same = models.stream().filter(e -> e.model().device().equals(device)
                && e.model().folder().toAbsolutePath().normalize().equals(absolute)).findFirst();
        if (same.isPresent()) {
            activate(onModel.get(same.get().id()));
            return same.get().model();
        }
        // Checked before a byte of weights is read; the models already loaded hold their memory.
        memory.require(summary, device, models.stream().filter(e -> e.model().device().equals(device))
                .map(Entry::describe).toList());
        LoadedModel loaded = ModelLoader.load(folder, device, progress, cancelled);
        Entry entry = new Entry(ids.incrementAndGet(), loaded, summary, MemoryCheck.needed(summary));
        Variant base = new Variant(ids.incrementAndGet(), entry.id(), loaded.name(), "base weights", null);
        synchronized (lock) {
            models.add(entry);
            variants.add(base);
            onModel.put(entry.id(), base);
        }
        activate(base);
        return loaded;
    }

    /**
     * The device a load will choose, guessed on the caller's thread without starting the engine (the
     * CUDA runtime counts the GPUs), to queue the load in that device's lane; the load itself
     * resolves the device and reports a bad one.
     */
    Device likelyDevice(Path folder, String deviceId) {
        if (deviceId != null && deviceId.trim().equalsIgnoreCase("cpu")) {
            return Device.cpu(); // nothing to count
        }
        try {
            return device(() -> ModelLoader.inspect(folder), deviceId, VisibleGpus.COUNT.join());
        } catch (RuntimeException e) {
            return Device.cpu(); // the load meets the same error and reports it
        }
    }

    /** The device {@code deviceId} names with {@code gpus} GPUs visible; auto picks one with room for the model. */
    private Device device(Supplier<ModelSummary> summary, String deviceId, int gpus) {
        if (!"auto".equalsIgnoreCase(deviceId)) {
            return Devices.resolve(deviceId, gpus);
        }
        // with no GPU there is nothing to weigh: the folder is not inspected (that would start the engine here)
        return gpus == 0 ? Device.cpu() : memory.autoDevice(summary.get(), gpus);
    }

    /** Unloads model {@code modelId} and its variants; the most recently loaded of the others becomes current if it was. */
    void unload(long modelId) {
        Entry e = entry(modelId).orElseThrow(() -> new ScalesException("no such model is loaded (it was unloaded)"));
        Variant now;
        synchronized (lock) {
            models.remove(e);
            variants.removeIf(v -> v.model() == modelId); // the adapters live in the model's memory: closing it frees them
            onModel.remove(modelId);
            now = activeVariant;
        }
        if (now != null && now.model() == modelId) {
            activate(models.isEmpty() ? null : onModel.get(models.get(models.size() - 1).id()));
        } else {
            notifyVariants();
        }
        e.model().close();
    }

    /** Unloads every model on {@code device} ("CPU", "GPU 0"…), in that device's lane. */
    void unloadAll(String device) {
        for (Entry e : models()) {
            if (Devices.name(e.model().device()).equals(device)) {
                unload(e.id());
            }
        }
    }

    /** Makes {@code v} (null: none) the variant new requests run on, and tells listeners. */
    void activate(Variant v) {
        Variant before;
        synchronized (lock) {
            before = activeVariant;
            activeVariant = v;
        }
        if (before == null || v == null ? before != v : before.model() != v.model()) {
            notifyModel();
        }
        notifyVariants();
    }

    /**
     * Makes model {@code v.model()} compute with variant {@code v}'s weights: the adapters of the
     * variant it computed with come off, {@code v}'s go on. Only in that model's lane.
     */
    void computeWith(Variant v) {
        Variant was = onModel.get(v.model());
        if (was == v) {
            return;
        }
        if (was != null && !was.isBase()) {
            was.adapters().setActive(false);
        }
        if (!v.isBase()) {
            v.adapters().setActive(true);
        }
        onModel.put(v.model(), v);
    }

    /** Puts variant {@code v}'s weights back on its model if that is still loaded (a run that yielded goes on with its own). */
    void restore(Variant v) {
        if (onModel.containsKey(v.model())) {
            computeWith(v);
        }
    }

    /** The model of variant {@code v}, computing with its weights; fails when either is gone. */
    LoadedModel modelFor(Variant v) {
        if (v == null) {
            throw new ScalesException("no model is loaded");
        }
        Entry e = entry(v.model()).orElseThrow(() -> new ScalesException(v.modelName()
                + " was unloaded before the job started"));
        if (!variants.contains(v)) {
            throw new ScalesException(v + " was discarded before the job started");
        }
        computeWith(v);
        return e.model();
    }

    /** Registers a LoRA fine-tune of {@code of}'s model whose adapters are on it already. */
    Variant addLora(Variant of, String name, LoraAdapters adapters) {
        Variant v = new Variant(ids.incrementAndGet(), of.model(), of.modelName(), name, adapters);
        synchronized (lock) {
            Variant was = onModel.get(v.model());
            if (was != null && !was.isBase() && was.adapters() != adapters) {
                was.adapters().setActive(false);
            }
            variants.add(v);
            onModel.put(v.model(), v); // its adapters are on already
        }
        return v;
    }

    /**
     * The base weights of {@code old}'s model changed in place: its base variant is renamed
     * {@code name}, and its LoRA variants, trained on the old weights, are dropped and freed.
     */
    Variant rebase(Variant old, String name) {
        Variant base = new Variant(old.id(), old.model(), old.modelName(), name, null);
        for (Variant v : variants) {
            if (v.model() == old.model() && !v.isBase()) {
                variants.remove(v);
                v.adapters().close();
            }
        }
        synchronized (lock) {
            variants.set(variants.indexOf(old), base);
            onModel.put(base.model(), base);
        }
        return base;
    }

    /** Drops LoRA variant {@code v} and frees its adapters; its model's base takes its place. In its model's lane. */
    void discard(Variant v) {
        if (v.isBase()) {
            throw new ScalesException("the base weights of " + v.modelName() + " cannot be discarded; unload "
                    + "the model instead");
        }
        Variant base = baseOf(v.model());
        if (onModel.get(v.model()) == v) {
            computeWith(base);
        }
        variants.remove(v);
        v.adapters().close();
        if (activeVariant == v) {
            activate(base);
        } else {
            notifyVariants();
        }
    }

    Variant baseOf(long model) {
        return variants.stream().filter(v -> v.model() == model && v.isBase()).findFirst().orElseThrow();
    }

    /** Variant {@code id}, if it is still registered. */
    Optional<Variant> find(long id) {
        return variants.stream().filter(v -> v.id() == id).findFirst();
    }

    Variant variant(long id) {
        return find(id).orElseThrow(() -> new ScalesException("no such variant (it was dropped or its model unloaded)"));
    }

    /** The variant new requests run on (null: no model loaded). */
    Variant active() {
        return activeVariant;
    }

    /** The device of variant {@code v}'s model: where its jobs run (the CPU when there is none). */
    Device deviceOf(Variant v) {
        return v == null ? Device.cpu() : entry(v.model()).map(e -> e.model().device()).orElse(Device.cpu());
    }

    Variants variants() {
        return new Variants(List.copyOf(variants), activeVariant);
    }

    void addVariantListener(Consumer<Variants> listener) {
        variantListeners.add(listener);
    }

    private void notifyVariants() {
        Variants now = variants();
        variantListeners.forEach(l -> l.accept(now));
    }

    /** The model requests run on: the active variant's. */
    Optional<LoadedModel> current() {
        Variant a = activeVariant;
        return a == null ? Optional.empty() : entry(a.model()).map(Entry::model);
    }

    void addListener(Consumer<Optional<LoadedModel>> listener) {
        listeners.add(listener);
    }

    private void notifyModel() {
        Optional<LoadedModel> now = current();
        listeners.forEach(l -> l.accept(now));
    }

    /** Per device, each loaded model's estimate plus the weights of its LoRA variants' adapters. */
    Map<String, Long> accountedBytes() {
        Map<String, Long> bytes = new TreeMap<>();
        for (Entry e : models) {
            long adapters = variants.stream().filter(v -> v.model() == e.id() && !v.isBase())
                    .mapToLong(v -> v.adapters().parameters().stream().mapToLong(a -> a.size() * 4).sum()).sum();
            bytes.merge(Devices.name(e.model().device()), e.memoryBytes() + adapters, Long::sum);
        }
        return bytes;
    }

    List<Entry> models() {
        return List.copyOf(models);
    }

    private Optional<Entry> entry(long modelId) {
        return models.stream().filter(m -> m.id() == modelId).findFirst();
    }
}
