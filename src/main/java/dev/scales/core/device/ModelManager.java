package dev.scales.core.device;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.device.JobScheduler.Kind;
import dev.scales.core.device.JobScheduler.Queued;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.model.ModelSummary;
import dev.scales.core.util.Bytes;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

/**
 * The one owner of the loaded models and of the devices they run on. Each device has a worker —
 * its lane: a thread and a queue — created when a job first needs it ("CPU", "GPU 0"…), so a job
 * on the GPU runs beside one on the CPU, while the jobs of one device run one at a time. In a lane
 * jobs queue by priority — interactive requests first, evaluations next, training last — with
 * grad mode set on its thread. A training job yields between optimizer steps
 * ({@link JobContext#yieldToUrgent()}), so a prompt typed during training answers within one step
 * and sees the weights of whole steps only. Only one job trains at a time in the whole process (a
 * run's memory estimate counts on no other run taking memory meanwhile): a second waits, whatever
 * its device, with the reason shown.
 * Loading and unloading queue behind training on their device: a model is never swapped under a
 * run. Every job ends done, cancelled or failed, and its caller observes that through the job's future.
 *
 * <p>Several models can be loaded at once ({@link #models()}: the registry, in load order). Each
 * loaded model can run as several {@link Variant}s: its base weights, and each LoRA fine-tune of
 * it, which shares the base weights and adds only its adapters. One variant of all is active — the
 * one the panes show — and a request runs on the variant that was active when it was submitted, in
 * the lane of that variant's model; the model's adapters switch to it when the job starts, so a
 * request sees one variant's weights throughout.
 *
 * <p>The manager is the front of two parts with a lock each: a {@link JobScheduler} (the lanes,
 * priorities, the training slot, job listeners) and a {@link ModelRegistry} (the models, their
 * variants, the memory accounted for them). Neither lock is taken inside the other.
 */
public final class ModelManager implements AutoCloseable {
    /**
     * A model in the registry: what was loaded from which folder onto which device, and the memory
     * the manager accounts for it (its F32 weights plus room to run).
     */
    public record Entry(long id, LoadedModel model, ModelSummary summary, long memoryBytes) {
        public String name() {
            return model.name();
        }

        /** One line for a menu or a tooltip: name, architecture, size, dtype on disk, device, memory. */
        public String describe() {
            return model.name() + " · " + model.config().modelType() + " · " + Bytes.count(summary.parameterCount())
                    + " params · " + summary.diskDtype() + " on disk · "
                    + Devices.name(model.device()) + " · ~"
                    + Bytes.format(memoryBytes);
        }
    }

    /**
     * Weights a loaded model can run with: the base ({@code adapters} null: as loaded, or as a full
     * fine-tune left them) or the base plus a LoRA adapter.
     *
     * @param model the registry id of the model whose weights these are
     */
    public record Variant(long id, long model, String modelName, String name, LoraAdapters adapters) {
        public boolean isBase() {
            return adapters == null;
        }

        @Override
        public String toString() {
            return modelName + " · " + name;
        }
    }

    /**
     * Every loaded model's variants — each model's base first, its LoRA fine-tunes after it, models
     * in load order — and the one requests run on (empty and null with no model).
     */
    public record Variants(List<Variant> all, Variant active) {
        /** The variants of the active variant's model. */
        public List<Variant> ofActiveModel() {
            return active == null ? List.of() : all.stream().filter(v -> v.model() == active.model()).toList();
        }
    }

    private final ModelRegistry registry;
    private final JobScheduler scheduler;

    public ModelManager() {
        this(MemoryCheck.system());
    }

    /** A manager checking memory with {@code memory} (tests pass one with fixed numbers). */
    public ModelManager(MemoryCheck memory) {
        AtomicLong ids = new AtomicLong(); // jobs, models and variants are numbered from one sequence
        registry = new ModelRegistry(memory, ids);
        scheduler = new JobScheduler(registry, ids);
    }

    /**
     * Queues {@code work} to run with the model of the variant active now, in its device's lane; it
     * fails when it starts if no model was loaded, or that model or variant is gone by then.
     */
    public <T> Job<T> submit(String name, Job.Priority priority, BiFunction<LoadedModel, JobContext, T> work) {
        Variant v = registry.active();
        return scheduler.enqueue(name, priority, registry.deviceOf(v), Kind.MODEL, v, work);
    }

    /**
     * Queues {@code work} that loads what it needs itself on the CPU and may train it (an experiment
     * loads and fine-tunes fresh copies of its model): it runs in the CPU's lane in priority order,
     * and never beside another training run.
     */
    public <T> Job<T> submitStandalone(String name, Job.Priority priority, Function<JobContext, T> work) {
        return submitStandalone(name, priority, Device.cpu(), true, work);
    }

    /**
     * As {@link #submitStandalone(String, Job.Priority, Function)}, in the lane of {@code device};
     * {@code trains} says whether it takes the process's one training slot.
     */
    public <T> Job<T> submitStandalone(String name, Job.Priority priority, Device device, boolean trains,
                                       Function<JobContext, T> work) {
        return scheduler.enqueue(name, priority, device, trains ? Kind.STANDALONE : Kind.OTHER, null,
                (ignored, ctx) -> work.apply(ctx));
    }

    /**
     * As {@link #submitStandalone(String, Job.Priority, Device, boolean, Function)}, on the device of
     * the current model (the CPU with none): {@code work} gets that device's id ({@code cpu},
     * {@code gpu0}…, as {@link Devices#resolve} reads it) to load its own copies there.
     */
    public <T> Job<T> submitOnCurrentDevice(String name, Job.Priority priority, boolean trains,
                                            BiFunction<String, JobContext, T> work) {
        Device device = current().map(LoadedModel::device).orElse(Device.cpu());
        String id = Devices.id(device);
        return submitStandalone(name, priority, device, trains, ctx -> work.apply(id, ctx));
    }

    /** An interactive job that needs no cancellation checks. */
    public <T> CompletableFuture<T> submit(String name, Function<LoadedModel, T> work) {
        return submit(name, Job.Priority.INTERACTIVE, (m, ctx) -> work.apply(m)).future();
    }

    public <T> CompletableFuture<T> submit(Function<LoadedModel, T> work) {
        return submit("job", work);
    }

    /**
     * Loads a folder on a device (auto, cpu, gpu0…) beside the models already loaded, in that device's
     * lane, and makes it the current one. The same folder already loaded on that device is made
     * current, not loaded twice.
     */
    public CompletableFuture<LoadedModel> load(Path folder, String deviceId) {
        return load(folder, deviceId, share -> { }).future();
    }

    /**
     * As {@link #load(Path, String)}, as a job: {@code progress} hears the share of the weights read
     * (from 0 to 1, on the job's thread), and cancelling the job stops the reading between tensors,
     * leaving no model behind and the models already loaded as they were.
     */
    public Job<LoadedModel> load(Path folder, String deviceId, DoubleConsumer progress) {
        return scheduler.enqueue("load " + ModelLocations.displayName(folder), Job.Priority.TRAINING,
                registry.likelyDevice(folder, deviceId), Kind.OTHER, null,
                (ignored, ctx) -> registry.load(folder, deviceId, progress, ctx::isCancelled));
    }

    /** Unloads the current model (and its variants); the most recently loaded of the others becomes current. */
    public CompletableFuture<Void> unload() {
        Variant a = registry.active();
        return scheduler.enqueue("unload", Job.Priority.TRAINING, registry.deviceOf(a), Kind.OTHER, null,
                (ignored, ctx) -> {
                    if (a != null) {
                        registry.unload(a.model());
                    }
                    return (Void) null;
                }).future();
    }

    /**
     * Adds a LoRA fine-tune of the running job's model, its adapters attached and active, and makes
     * it the variant requests run on. Only from a model job, like every change of weights.
     */
    public Variant addVariant(String name, LoraAdapters adapters) {
        Queued<?> q = scheduler.modelJob("adding a variant");
        if (!adapters.isActive()) {
            throw new IllegalArgumentException(name + ": the adapters must be on the model");
        }
        Variant v = registry.addLora(q.variant, name, adapters);
        q.variant = v;
        registry.activate(v);
        return v;
    }

    /**
     * Takes the running job's LoRA adapter off, so its model computes with the base weights (a
     * training job starts from them), and makes the base the active variant. Only from a model job.
     */
    public void useBase() {
        Queued<?> q = scheduler.modelJob("switching to the base weights");
        if (!q.variant.isBase()) {
            Variant base = registry.baseOf(q.variant.model());
            registry.computeWith(base);
            q.variant = base;
            registry.activate(base);
        }
    }

    /**
     * A full fine-tune changed the running job's model's base weights in place: its base variant is
     * renamed, and its LoRA variants, trained on the old weights, are dropped and freed. Only from a
     * model job.
     */
    public void baseChanged(String name) {
        useBase();
        Queued<?> q = scheduler.modelJob("changing the base weights");
        Variant base = registry.rebase(q.variant, name);
        q.variant = base;
        registry.activate(base);
    }

    /**
     * Makes variant {@code id}, of the current model or of another loaded one (which becomes current),
     * the one new requests run on; its weights switch in when the first of them starts. Refused for
     * a model that a run is training.
     */
    public CompletableFuture<Variant> use(long id) {
        try {
            Variant to = registry.variant(id);
            scheduler.notWhileTraining(to.model());
            if (to != registry.active()) {
                registry.activate(to);
            }
            return CompletableFuture.completedFuture(to);
        } catch (ScalesException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Queues dropping LoRA variant {@code id} and freeing its adapters, in its model's lane; when it
     * was active, its model's base becomes the active variant. A base is not discarded (unload its
     * model instead).
     */
    public CompletableFuture<Void> discard(long id) {
        Variant found = registry.find(id).orElse(null);
        return scheduler.enqueue("discard variant", Job.Priority.INTERACTIVE, registry.deviceOf(found), Kind.OTHER,
                null, (ignored, ctx) -> {
                    Variant v = registry.variant(id);
                    scheduler.notWhileTraining(v.model());
                    registry.discard(v);
                    return (Void) null;
                }).future();
    }

    /** The loaded models' variants and the active one. */
    public Variants variants() {
        return registry.variants();
    }

    /** Called (on a worker, or on the thread that calls {@link #use}) whenever variants are added, dropped or switched. */
    public void addVariantListener(Consumer<Variants> listener) {
        registry.addVariantListener(listener);
    }

    /** The model requests run on: the active variant's. */
    public Optional<LoadedModel> current() {
        return registry.current();
    }

    /**
     * The memory the manager accounts for, per device ("CPU", "GPU 0"…): each loaded model's estimate
     * (F32 weights plus room to run) and the weights of its LoRA variants' adapters.
     */
    public Map<String, Long> accountedBytes() {
        return registry.accountedBytes();
    }

    /** The registry: every loaded model, in load order. */
    public List<Entry> models() {
        return registry.models();
    }

    /** Queued and running jobs, in the order they will run (the running one first). */
    public List<Job<?>> jobs() {
        return scheduler.jobs();
    }

    /** Called (on a worker, or on the thread that calls {@link #use}) whenever the current model changes (empty after the last unload). */
    public void addListener(Consumer<Optional<LoadedModel>> listener) {
        registry.addListener(listener);
    }

    /** Called (on any thread) whenever a job is queued, starts, waits or ends. */
    public void addJobListener(Consumer<List<Job<?>>> listener) {
        scheduler.addJobListener(listener);
    }

    /** The devices that have a worker: "CPU" always, "GPU 0"… once a job ran there. */
    public List<String> workers() {
        return scheduler.workers();
    }

    /** Cancels what is queued or running, unloads every model in its own lane and stops the workers. */
    @Override
    public void close() {
        scheduler.close("unload all", registry::unloadAll);
    }
}
