package dev.scales.core.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.scales.core.Offline;
import dev.scales.core.ScalesException;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.model.ModelSummary;
import dev.scales.core.util.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one owner of the loaded models and of the devices they run on. Each device has a worker —
 * its lane: a thread and a queue — created when a job first needs it ("CPU", "GPU 0"…), so a job
 * on the GPU runs beside one on the CPU, while the jobs of one device run one at a time. In a lane
 * jobs queue by priority — interactive requests first, evaluations next, training last — with
 * grad mode set on its thread. A training job yields between optimizer steps
 * ({@link JobContext#yieldToUrgent()}), so a prompt typed during training answers within one step
 * and sees the weights of whole steps only. Only one job trains at a time in the whole process (DJL
 * allows one gradient collector): a second waits, whatever its device, with the reason shown.
 * Loading and unloading queue behind training on their device: a model is never swapped under a
 * run. Every job ends done, cancelled or failed, and its caller observes that through the job's future.
 *
 * <p>Several models can be loaded at once ({@link #models()}: the registry, in load order). Each
 * loaded model can run as several {@link Variant}s: its base weights, and each LoRA fine-tune of
 * it, which shares the base weights and adds only its adapters. One variant of all is active — the
 * one the panes show — and a request runs on the variant that was active when it was submitted, in
 * the lane of that variant's model; the model's adapters switch to it when the job starts, so a
 * request sees one variant's weights throughout.
 */
public final class ModelManager implements AutoCloseable {
    private static final Comparator<Job<?>> ORDER = Comparator.<Job<?>, Integer>comparing(j -> j.priority().ordinal())
            .thenComparingLong(Job::id);
    private static final String ANOTHER_RUN = "another fine-tuning run is in progress";

    private final List<Job<?>> active = new CopyOnWriteArrayList<>();
    private final List<Consumer<Optional<LoadedModel>>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Job<?>>>> jobListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;
    private final MemoryCheck memory;

    /** Guards every lane's queue and the training slot; workers wait on it for work. */
    private final Object schedule = new Object();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** The job holding the process's one training slot (null: free). */
    private Queued<?> training;
    /** The job running on this thread (a worker's, or one run between a training's steps). */
    private final ThreadLocal<Queued<?>> running = new ThreadLocal<>();

    /** Guards the registry: models, variants, which variant each model computes with, the active one. */
    private final Object registry = new Object();
    private final List<Entry> models = new CopyOnWriteArrayList<>();
    private final List<Variant> variants = new CopyOnWriteArrayList<>();
    /** Per model id, the variant whose weights the model computes with now (its base, or a LoRA on it). */
    private final Map<Long, Variant> onModel = new ConcurrentHashMap<>();
    private final List<Consumer<Variants>> variantListeners = new CopyOnWriteArrayList<>();
    /** The variant new requests run on; its model is the current one (null: no model loaded). */
    private volatile Variant activeVariant;

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
                    + deviceName(model.device()) + " · ~"
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

    /** What a queued job runs against. */
    private enum Kind {
        /** A request on a model: it runs on the variant bound at submission, in that model's lane. */
        MODEL,
        /** Work that loads what it needs itself and may train, so it takes the training slot. */
        STANDALONE,
        /** Work bound to no variant that does not train: loading, unloading, discarding, standalone work that says so. */
        OTHER
    }

    /** A job in a lane; {@code variant} is the one a model job runs on (a training job may move it). */
    private static final class Queued<T> {
        final Job<T> job;
        final Lane lane;
        final Kind kind;
        final BiFunction<LoadedModel, JobContext, T> work;
        volatile Variant variant;

        Queued(Job<T> job, Lane lane, Kind kind, Variant variant, BiFunction<LoadedModel, JobContext, T> work) {
            this.job = job;
            this.lane = lane;
            this.kind = kind;
            this.variant = variant;
            this.work = work;
        }

        /** Training runs one at a time per process: model jobs of training priority, and standalone work. */
        boolean trains() {
            return kind == Kind.STANDALONE || kind == Kind.MODEL && job.priority() == Job.Priority.TRAINING;
        }
    }

    /** A device's worker: its thread and its queue (guarded by {@code schedule}). */
    private final class Lane {
        final String device;
        /** In the order jobs run (ids make it total). */
        final TreeSet<Queued<?>> queue = new TreeSet<>((a, b) -> ORDER.compare(a.job, b.job));
        final Thread thread;

        Lane(String device) {
            this.device = device;
            thread = new Thread(() -> loop(this), "scales-worker " + device);
            thread.setDaemon(true);
        }
    }

    public ModelManager() {
        this(MemoryCheck.system());
    }

    /** A manager checking memory with {@code memory} (tests pass one with fixed numbers). */
    public ModelManager(MemoryCheck memory) {
        this.memory = memory;
        lane(Device.cpu());
    }

    private Lane lane(Device device) {
        return lanes.computeIfAbsent(deviceName(device), name -> {
            Lane l = new Lane(name);
            l.thread.start();
            return l;
        });
    }

    /**
     * Queues {@code work} to run with the model of the variant active now, in its device's lane; it
     * fails when it starts if no model was loaded, or that model or variant is gone by then.
     */
    public <T> Job<T> submit(String name, Job.Priority priority, BiFunction<LoadedModel, JobContext, T> work) {
        Variant v = activeVariant;
        return enqueue(name, priority, laneOf(v), Kind.MODEL, v, work);
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
        return enqueue(name, priority, lane(device), trains ? Kind.STANDALONE : Kind.OTHER, null,
                (ignored, ctx) -> work.apply(ctx));
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
        return enqueue("load " + ModelLocations.displayName(folder), Job.Priority.TRAINING,
                lane(likelyDevice(folder, deviceId)), Kind.OTHER,
                null, (ignored, ctx) -> {
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
                    LoadedModel loaded = ModelLoader.load(folder, device);
                    Entry entry = new Entry(ids.incrementAndGet(), loaded, summary, MemoryCheck.needed(summary));
                    Variant base = new Variant(ids.incrementAndGet(), entry.id(), loaded.name(), "base weights", null);
                    synchronized (registry) {
                        models.add(entry);
                        variants.add(base);
                        onModel.put(entry.id(), base);
                    }
                    activate(base);
                    return loaded;
                }).future();
    }

    /**
     * The device a load will choose, guessed on the caller's thread without starting the engine (the
     * CUDA runtime counts the GPUs), to queue the load in that device's lane; the job itself
     * resolves the device and reports a bad one.
     */
    private Device likelyDevice(Path folder, String deviceId) {
        try {
            return device(() -> ModelLoader.inspect(folder), deviceId, ai.djl.util.cuda.CudaUtils.getGpuCount());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return Device.cpu(); // the job meets the same error and reports it
        }
    }

    /** The device {@code deviceId} names with {@code gpus} GPUs visible; auto picks one with room for the model. */
    private Device device(java.util.function.Supplier<ModelSummary> summary, String deviceId, int gpus) {
        if (!"auto".equalsIgnoreCase(deviceId)) {
            return Devices.resolve(deviceId, gpus);
        }
        // with no GPU there is nothing to weigh: the folder is not inspected (that would start the engine here)
        return gpus == 0 ? Device.cpu() : memory.autoDevice(summary.get(), gpus);
    }

    /** Unloads the current model (and its variants); the most recently loaded of the others becomes current. */
    public CompletableFuture<Void> unload() {
        Variant a = activeVariant;
        return enqueue("unload", Job.Priority.TRAINING, laneOf(a), Kind.OTHER, null, (ignored, ctx) -> {
            if (a != null) {
                unloadNow(a.model());
            }
            return (Void) null;
        }).future();
    }

    private void unloadNow(long modelId) {
        Entry e = entry(modelId).orElseThrow(() -> new ScalesException("no such model is loaded (it was unloaded)"));
        Variant now;
        synchronized (registry) {
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

    /** Makes {@code v} (null: none) the variant new requests run on, and tells listeners. */
    private void activate(Variant v) {
        Variant before;
        synchronized (registry) {
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
    private void computeWith(Variant v) {
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

    private Lane laneOf(Variant v) {
        return lane(v == null ? Device.cpu() : entry(v.model()).map(e -> e.model().device()).orElse(Device.cpu()));
    }

    private Optional<Entry> entry(long modelId) {
        return models.stream().filter(m -> m.id() == modelId).findFirst();
    }

    private <T> Job<T> enqueue(String name, Job.Priority priority, Lane lane, Kind kind, Variant variant,
                               BiFunction<LoadedModel, JobContext, T> work) {
        if (closed) {
            throw new ScalesException("the model manager is closed");
        }
        Job<T> job = new Job<>(ids.incrementAndGet(), name, priority, lane.device, this::notifyJobs);
        Queued<T> q = new Queued<>(job, lane, kind, variant, work);
        active.add(job);
        synchronized (schedule) {
            if (mustWait(q, lane)) {
                job.waitFor(ANOTHER_RUN);
            }
            lane.queue.add(q);
            schedule.notifyAll();
        }
        notifyJobs();
        return job;
    }

    /** Whether {@code q} must wait for the training run that holds the slot (under {@code schedule}). */
    private boolean mustWait(Queued<?> q, Lane lane) {
        return q.trains() && training != null
                && (training.lane != lane || q.job.priority() == Job.Priority.TRAINING);
    }

    private void loop(Lane lane) {
        while (!closed) {
            Queued<?> next;
            synchronized (schedule) {
                next = take(lane, null);
                if (next == null) {
                    try {
                        schedule.wait(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    continue;
                }
            }
            execute(next);
        }
    }

    /**
     * Takes the first job of {@code lane} that may start now — of higher priority than {@code above}
     * when given (a training run yielding) — and gives it the training slot if it trains. Under
     * {@code schedule}. A cancelled job is taken at once, to be dropped.
     */
    private Queued<?> take(Lane lane, Job.Priority above) {
        for (Queued<?> q : lane.queue) {
            if (above != null && q.job.priority().compareTo(above) >= 0) {
                break;
            }
            boolean blocked = q.trains() && training != null && training.lane != lane;
            if (!q.job.isCancelled() && blocked) {
                continue; // it waits for the slot; the lane goes on with others
            }
            lane.queue.remove(q);
            if (q.trains() && training == null && !q.job.isCancelled()) {
                training = q;
                for (Lane l : lanes.values()) {
                    for (Queued<?> other : l.queue) {
                        if (mustWait(other, l)) {
                            other.job.waitFor(ANOTHER_RUN);
                        }
                    }
                }
            }
            return q;
        }
        return null;
    }

    private void release(Queued<?> q) {
        synchronized (schedule) {
            if (training == q) {
                training = null;
                lanes.values().forEach(l -> l.queue.forEach(other -> other.job.waitFor("")));
                schedule.notifyAll();
            }
        }
    }

    private <T> void execute(Queued<T> q) {
        Job<T> job = q.job;
        if (!job.start()) {
            release(q);
            active.remove(job); // cancelled while queued
            notifyJobs();
            return;
        }
        Queued<?> outer = running.get();
        running.set(q);
        T value = null;
        Throwable error = null;
        try {
            GradMode.inference();
            LoadedModel m = null;
            if (q.kind == Kind.MODEL) {
                m = modelFor(q.variant);
            }
            value = q.work.apply(m, context(q));
        } catch (OutOfMemoryError e) {
            error = new ScalesException(job.name() + " ran out of Java memory (" + e.getMessage() + "); the model "
                    + "stays loaded. Start the app with a larger -Xmx or -XX:MaxDirectMemorySize, or use a smaller model "
                    + "or batch", e);
        } catch (ai.djl.engine.EngineException e) {
            String m = String.valueOf(e.getMessage());
            error = m.toLowerCase(java.util.Locale.ROOT).contains("out of memory")
                    ? new ScalesException(job.name() + " ran out of device memory; the model stays loaded. Try a smaller "
                            + "batch, LoRA instead of full fine-tuning, or the CPU", e)
                    : new ScalesException(job.name() + " failed in the engine: " + m, e);
        } catch (Throwable e) {
            error = e;
        } finally {
            GradMode.inference();
            running.set(outer);
            if (outer != null && outer.kind == Kind.MODEL && outer.variant != null
                    && onModel.containsKey(outer.variant.model())) {
                computeWith(outer.variant); // the run that yielded goes on with its own weights
            }
            active.remove(job);
            job.finish(value, error);
            release(q); // the next run starts only once this one has ended
        }
    }

    /** The model of variant {@code v}, computing with its weights; fails when either is gone. */
    private LoadedModel modelFor(Variant v) {
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

    private JobContext context(Queued<?> q) {
        return new JobContext() {
            @Override
            public boolean isCancelled() {
                return q.job.isCancelled();
            }

            @Override
            public String weights() {
                Variant v = q.variant;
                return v == null ? "" : v.toString();
            }

            @Override
            public void yieldToUrgent() {
                while (true) {
                    Queued<?> next;
                    synchronized (schedule) {
                        next = take(q.lane, q.job.priority());
                    }
                    if (next == null) {
                        return;
                    }
                    execute(next);
                }
            }
        };
    }

    /**
     * Adds a LoRA fine-tune of the running job's model, its adapters attached and active, and makes
     * it the variant requests run on. Only from a model job, like every change of weights.
     */
    public Variant addVariant(String name, LoraAdapters adapters) {
        Queued<?> q = modelJob("adding a variant");
        if (!adapters.isActive()) {
            throw new IllegalArgumentException(name + ": the adapters must be on the model");
        }
        Variant of = q.variant;
        Variant v = new Variant(ids.incrementAndGet(), of.model(), of.modelName(), name, adapters);
        synchronized (registry) {
            Variant was = onModel.get(v.model());
            if (was != null && !was.isBase() && was.adapters() != adapters) {
                was.adapters().setActive(false);
            }
            variants.add(v);
            onModel.put(v.model(), v); // its adapters are on already
        }
        q.variant = v;
        activate(v);
        return v;
    }

    /**
     * Takes the running job's LoRA adapter off, so its model computes with the base weights (a
     * training job starts from them), and makes the base the active variant. Only from a model job.
     */
    public void useBase() {
        Queued<?> q = modelJob("switching to the base weights");
        if (!q.variant.isBase()) {
            Variant base = baseOf(q.variant.model());
            computeWith(base);
            q.variant = base;
            activate(base);
        }
    }

    private Variant baseOf(long model) {
        return variants.stream().filter(v -> v.model() == model && v.isBase()).findFirst().orElseThrow();
    }

    /**
     * A full fine-tune changed the running job's model's base weights in place: its base variant is
     * renamed, and its LoRA variants, trained on the old weights, are dropped and freed. Only from a
     * model job.
     */
    public void baseChanged(String name) {
        useBase();
        Queued<?> q = running.get();
        Variant old = q.variant;
        Variant base = new Variant(old.id(), old.model(), old.modelName(), name, null);
        for (Variant v : variants) {
            if (v.model() == old.model() && !v.isBase()) {
                variants.remove(v);
                v.adapters().close();
            }
        }
        synchronized (registry) {
            variants.set(variants.indexOf(old), base);
            onModel.put(base.model(), base);
        }
        q.variant = base;
        activate(base);
    }

    /** The model job running on this thread; changing weights is its business only. */
    private Queued<?> modelJob(String what) {
        Queued<?> q = running.get();
        if (q == null || q.kind != Kind.MODEL || q.variant == null) {
            throw new IllegalStateException(what + " must run in a job on a model worker");
        }
        return q;
    }

    /**
     * Makes variant {@code id}, of the current model or of another loaded one (which becomes current),
     * the one new requests run on; its weights switch in when the first of them starts. Refused for
     * a model that a run is training.
     */
    public CompletableFuture<Variant> use(long id) {
        try {
            Variant to = variant(id);
            notWhileTraining(to.model());
            if (to != activeVariant) {
                activate(to);
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
        Variant found = variants.stream().filter(v -> v.id() == id).findFirst().orElse(null);
        return enqueue("discard variant", Job.Priority.INTERACTIVE, laneOf(found), Kind.OTHER, null, (ignored, ctx) -> {
            Variant v = variant(id);
            notWhileTraining(v.model());
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
            return (Void) null;
        }).future();
    }

    private void notWhileTraining(long model) {
        Queued<?> t;
        synchronized (schedule) {
            t = training;
        }
        if (t != null && t.kind == Kind.MODEL && t.variant != null && t.variant.model() == model) {
            throw new ScalesException("the weights cannot change while " + t.job.name() + " runs; switch when it ends");
        }
    }

    private Variant variant(long id) {
        return variants.stream().filter(v -> v.id() == id).findFirst()
                .orElseThrow(() -> new ScalesException("no such variant (it was dropped or its model unloaded)"));
    }

    /** The loaded models' variants and the active one. */
    public Variants variants() {
        return new Variants(List.copyOf(variants), activeVariant);
    }

    /** Called (on a worker, or on the thread that calls {@link #use}) whenever variants are added, dropped or switched. */
    public void addVariantListener(Consumer<Variants> listener) {
        variantListeners.add(listener);
    }

    private void notifyVariants() {
        Variants now = variants();
        variantListeners.forEach(l -> l.accept(now));
    }

    /** The model requests run on: the active variant's. */
    public Optional<LoadedModel> current() {
        return Optional.ofNullable(currentOrNull());
    }

    private LoadedModel currentOrNull() {
        Variant a = activeVariant;
        if (a == null) {
            return null;
        }
        return entry(a.model()).map(Entry::model).orElse(null);
    }

    /**
     * The memory the manager accounts for, per device ("CPU", "GPU 0"…): each loaded model's estimate
     * (F32 weights plus room to run) and the weights of its LoRA variants' adapters.
     */
    public Map<String, Long> accountedBytes() {
        Map<String, Long> bytes = new java.util.TreeMap<>();
        for (Entry e : models) {
            long adapters = variants.stream().filter(v -> v.model() == e.id() && !v.isBase())
                    .mapToLong(v -> v.adapters().parameters().stream().mapToLong(a -> a.size() * 4).sum()).sum();
            bytes.merge(deviceName(e.model().device()), e.memoryBytes() + adapters, Long::sum);
        }
        return bytes;
    }

    static String deviceName(Device d) {
        return d.isGpu() ? "GPU " + d.getDeviceId() : "CPU";
    }

    /** The registry: every loaded model, in load order. */
    public List<Entry> models() {
        return List.copyOf(models);
    }

    /** Queued and running jobs, in the order they will run (the running one first). */
    public List<Job<?>> jobs() {
        List<Job<?>> list = new ArrayList<>(active);
        list.sort(Comparator.<Job<?>, Boolean>comparing(j -> j.state() != Job.State.RUNNING).thenComparing(ORDER));
        return list;
    }

    /** Called (on a worker, or on the thread that calls {@link #use}) whenever the current model changes (empty after the last unload). */
    public void addListener(Consumer<Optional<LoadedModel>> listener) {
        listeners.add(listener);
    }

    /** Called (on any thread) whenever a job is queued, starts, waits or ends. */
    public void addJobListener(Consumer<List<Job<?>>> listener) {
        jobListeners.add(listener);
    }

    private void notifyModel() {
        Optional<LoadedModel> now = current();
        listeners.forEach(l -> l.accept(now));
    }

    /**
     * Job lists reach listeners one at a time, in order: a submitting thread and the worker both
     * report, and a listener that updates its state directly (no UI-thread hand-off) must never
     * run twice at once.
     */
    private void notifyJobs() {
        synchronized (jobListeners) {
            List<Job<?>> now = jobs();
            jobListeners.forEach(l -> l.accept(now));
        }
    }

    /** The devices that have a worker: "CPU" always, "GPU 0"… once a job ran there. */
    public List<String> workers() {
        return lanes.keySet().stream().sorted().toList();
    }

    /** Cancels what is queued or running, unloads every model in its own lane and stops the workers. */
    @Override
    public void close() {
        if (closed) {
            return; // closing twice (the window, then the process) is nothing more
        }
        jobs().forEach(Job::cancel);
        List<CompletableFuture<Void>> unloads = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            unloads.add(enqueue("unload all", Job.Priority.TRAINING, lane, Kind.OTHER, null, (ignored, ctx) -> {
                for (Entry e : models()) {
                    if (deviceName(e.model().device()).equals(lane.device)) {
                        unloadNow(e.id());
                    }
                }
                return (Void) null;
            }).future());
        }
        try {
            CompletableFuture.allOf(unloads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing anyway: the workers are daemons and the process is ending.
        }
        closed = true;
        lanes.values().forEach(l -> l.thread.interrupt());
    }
}
