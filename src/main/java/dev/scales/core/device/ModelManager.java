package dev.scales.core.device;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one owner of the loaded models and the thread that uses them. Jobs queue by priority —
 * interactive requests first, evaluations next, training last — and run one at a time on the
 * manager's worker, with grad mode set on that thread. A training job yields between optimizer
 * steps ({@link JobContext#yieldToUrgent()}), so a prompt typed during training answers within
 * one step and sees the weights of whole steps only. Loading and unloading queue behind
 * training: a model is never swapped under a run. Every job ends done, cancelled or failed,
 * and its caller observes that through the job's future.
 *
 * <p>Several models can be loaded at once ({@link #models()}: the registry, in load order); requests
 * run on the current one. Each loaded model can run as several {@link Variant}s: its base weights,
 * and each LoRA fine-tune of it, which shares the base weights and adds only its adapters. One
 * variant of all is active, and its model is the current one; switching is a job on the worker, so
 * a request sees one variant's weights throughout.
 */
public final class ModelManager implements AutoCloseable {
    private static final Comparator<Job<?>> ORDER = Comparator.<Job<?>, Integer>comparing(j -> j.priority().ordinal())
            .thenComparingLong(Job::id);

    private final PriorityBlockingQueue<Queued<?>> queue = new PriorityBlockingQueue<>(16,
            (a, b) -> ORDER.compare(a.job(), b.job()));
    private final List<Job<?>> active = new CopyOnWriteArrayList<>();
    private final List<Consumer<Optional<LoadedModel>>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Job<?>>>> jobListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread worker;
    private volatile boolean closed;
    private volatile Job<?> training;
    private final MemoryCheck memory;

    private final List<Entry> models = new CopyOnWriteArrayList<>();
    private final List<Variant> variants = new CopyOnWriteArrayList<>();
    /** Per model id, the variant whose weights the model computes with now (its base, or a LoRA on it). */
    private final Map<Long, Variant> onModel = new ConcurrentHashMap<>();
    private final List<Consumer<Variants>> variantListeners = new CopyOnWriteArrayList<>();
    /** The variant requests run on; its model is the current one (null: no model loaded). */
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

    private record Queued<T>(Job<T> job, BiFunction<LoadedModel, JobContext, T> work, boolean needsModel) {}

    public ModelManager() {
        this(MemoryCheck.system());
    }

    /** A manager checking memory with {@code memory} (tests pass one with fixed numbers). */
    public ModelManager(MemoryCheck memory) {
        this.memory = memory;
        worker = new Thread(this::loop, "scales-model-worker");
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues {@code work} to run with the loaded model; fails when none is loaded when it starts. */
    public <T> Job<T> submit(String name, Job.Priority priority, BiFunction<LoadedModel, JobContext, T> work) {
        return enqueue(name, priority, work, true);
    }

    /**
     * Queues {@code work} that loads what it needs itself (an experiment loads fresh copies of its
     * model): it runs on the manager's worker in priority order, never beside another job.
     */
    public <T> Job<T> submitStandalone(String name, Job.Priority priority, java.util.function.Function<JobContext, T> work) {
        return enqueue(name, priority, (ignored, ctx) -> work.apply(ctx), false);
    }

    /** An interactive job that needs no cancellation checks. */
    public <T> CompletableFuture<T> submit(String name, Function<LoadedModel, T> work) {
        return submit(name, Job.Priority.INTERACTIVE, (m, ctx) -> work.apply(m)).future();
    }

    public <T> CompletableFuture<T> submit(Function<LoadedModel, T> work) {
        return submit("job", work);
    }

    /**
     * Loads a folder on a device (auto, cpu, gpu0…) beside the models already loaded, and makes it
     * the current one. The same folder already loaded on that device is made current, not loaded twice.
     */
    public CompletableFuture<LoadedModel> load(Path folder, String deviceId) {
        return enqueue("load " + ModelLocations.displayName(folder), Job.Priority.TRAINING, (ignored, ctx) -> {
            Offline.configure();
            var summary = ModelLoader.inspect(folder);
            ai.djl.Device device = "auto".equalsIgnoreCase(deviceId)
                    ? memory.autoDevice(summary, Engine.getEngine("PyTorch").getGpuCount())
                    : Devices.resolve(deviceId, Engine.getEngine("PyTorch"));
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
            models.add(entry);
            Variant base = new Variant(ids.incrementAndGet(), entry.id(), loaded.name(), "base weights", null);
            variants.add(base);
            onModel.put(entry.id(), base);
            activate(base);
            return loaded;
        }, false).future();
    }

    /** Unloads the current model (and its variants); the most recently loaded of the others becomes current. */
    public CompletableFuture<Void> unload() {
        return enqueue("unload", Job.Priority.TRAINING, (ignored, ctx) -> {
            Variant a = activeVariant;
            if (a != null) {
                unloadNow(a.model());
            }
            return (Void) null;
        }, false).future();
    }

    private void unloadNow(long modelId) {
        Entry e = models.stream().filter(m -> m.id() == modelId).findFirst()
                .orElseThrow(() -> new ScalesException("no such model is loaded (it was unloaded)"));
        models.remove(e);
        variants.removeIf(v -> v.model() == modelId); // the adapters live in the model's memory: closing it frees them
        onModel.remove(modelId);
        Variant a = activeVariant;
        if (a != null && a.model() == modelId) {
            activate(models.isEmpty() ? null : onModel.get(models.get(models.size() - 1).id()));
        } else {
            notifyVariants();
        }
        e.model().close();
    }

    /**
     * Makes {@code v} (null: none) the variant requests run on, switching its model's adapters, and
     * tells listeners: the model's listeners when the current model changed, the variants' always.
     */
    private void activate(Variant v) {
        Variant before = activeVariant;
        if (v != null) {
            Variant was = onModel.get(v.model());
            if (was != v) {
                if (was != null && !was.isBase()) {
                    was.adapters().setActive(false);
                }
                if (!v.isBase()) {
                    v.adapters().setActive(true);
                }
                onModel.put(v.model(), v);
            }
        }
        activeVariant = v;
        if (before == null || v == null ? before != v : before.model() != v.model()) {
            notifyModel();
        }
        notifyVariants();
    }

    private <T> Job<T> enqueue(String name, Job.Priority priority, BiFunction<LoadedModel, JobContext, T> work,
                               boolean needsModel) {
        if (closed) {
            throw new ScalesException("the model manager is closed");
        }
        Job<T> job = new Job<>(ids.incrementAndGet(), name, priority, this::notifyJobs);
        active.add(job);
        if (priority == Job.Priority.TRAINING && training != null && needsModel) {
            job.waitFor("another fine-tuning run is in progress");
        }
        queue.add(new Queued<>(job, work, needsModel));
        notifyJobs();
        return job;
    }

    private void loop() {
        while (!closed) {
            try {
                Queued<?> next = queue.poll(200, TimeUnit.MILLISECONDS);
                if (next != null) {
                    execute(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private <T> void execute(Queued<T> q) {
        Job<T> job = q.job();
        if (!job.start()) {
            active.remove(job); // cancelled while queued
            notifyJobs();
            return;
        }
        boolean isTraining = job.priority() == Job.Priority.TRAINING && q.needsModel();
        if (isTraining) {
            training = job;
            waitingTrainings("another fine-tuning run is in progress");
        }
        T value = null;
        Throwable error = null;
        try {
            GradMode.inference();
            LoadedModel m = currentOrNull();
            if (q.needsModel() && m == null) {
                throw new ScalesException("no model is loaded");
            }
            value = q.work().apply(m, context(job));
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
            if (isTraining) {
                training = null;
                waitingTrainings("");
            }
            active.remove(job);
            job.finish(value, error);
        }
    }

    private void waitingTrainings(String reason) {
        for (Queued<?> q : queue) {
            if (q.job().priority() == Job.Priority.TRAINING && q.needsModel()) {
                q.job().waitFor(reason);
            }
        }
    }

    private JobContext context(Job<?> job) {
        return new JobContext() {
            @Override
            public boolean isCancelled() {
                return job.isCancelled();
            }

            @Override
            public void yieldToUrgent() {
                for (Queued<?> head = queue.peek(); head != null && head.job().priority().compareTo(job.priority()) < 0;
                     head = queue.peek()) {
                    Queued<?> taken = queue.poll();
                    if (taken != null) {
                        execute(taken);
                    }
                }
            }
        };
    }

    /**
     * Adds a LoRA fine-tune of the current model, its adapters attached and active, and makes it the
     * variant requests run on. Only from a job (the worker thread), like every change of weights.
     */
    public Variant addVariant(String name, LoraAdapters adapters) {
        onWorker("adding a variant");
        Variant a = activeVariant;
        if (a == null) {
            throw new ScalesException("no model is loaded");
        }
        if (!adapters.isActive()) {
            throw new IllegalArgumentException(name + ": the adapters must be on the model");
        }
        Variant v = new Variant(ids.incrementAndGet(), a.model(), a.modelName(), name, adapters);
        variants.add(v);
        onModel.put(v.model(), v); // its adapters are on already
        activate(v);
        return v;
    }

    /**
     * Takes the active LoRA adapter off, so the current model computes with its base weights (a
     * training job starts from them). Only from a job.
     */
    public void useBase() {
        onWorker("switching to the base weights");
        Variant a = activeVariant;
        if (a != null && !a.isBase()) {
            activate(baseOf(a.model()));
        }
    }

    private Variant baseOf(long model) {
        return variants.stream().filter(v -> v.model() == model && v.isBase()).findFirst().orElseThrow();
    }

    /**
     * A full fine-tune changed the current model's base weights in place: its base variant is
     * renamed, and its LoRA variants, trained on the old weights, are dropped and freed. Only from a job.
     */
    public void baseChanged(String name) {
        onWorker("renaming the base weights");
        useBase();
        Variant old = activeVariant;
        if (old == null) {
            return;
        }
        for (Variant v : variants) {
            if (v.model() == old.model() && !v.isBase()) {
                variants.remove(v);
                v.adapters().close();
            }
        }
        Variant base = new Variant(old.id(), old.model(), old.modelName(), name, null);
        variants.set(variants.indexOf(old), base);
        onModel.put(base.model(), base);
        activeVariant = base;
        notifyVariants();
    }

    /**
     * Queues a switch to variant {@code id}, of the current model or of another loaded one (which
     * becomes current), ahead of evaluations and training; refused while a run trains.
     */
    public CompletableFuture<Variant> use(long id) {
        return enqueue("use variant", Job.Priority.INTERACTIVE, (ignored, ctx) -> {
            notWhileTraining();
            Variant to = variant(id);
            if (to != activeVariant) {
                activate(to);
            }
            return to;
        }, false).future();
    }

    /**
     * Queues dropping LoRA variant {@code id} and freeing its adapters; when it was active, its model
     * runs on its base weights again. A base is not discarded (unload its model instead).
     */
    public CompletableFuture<Void> discard(long id) {
        return enqueue("discard variant", Job.Priority.INTERACTIVE, (ignored, ctx) -> {
            notWhileTraining();
            Variant v = variant(id);
            if (v.isBase()) {
                throw new ScalesException("the base weights of " + v.modelName() + " cannot be discarded; unload "
                        + "the model instead");
            }
            if (onModel.get(v.model()) == v) {
                Variant base = baseOf(v.model());
                if (activeVariant == v) {
                    activate(base);
                } else {
                    v.adapters().setActive(false);
                    onModel.put(v.model(), base);
                }
            }
            variants.remove(v);
            v.adapters().close();
            notifyVariants();
            return (Void) null;
        }, false).future();
    }

    private void notWhileTraining() {
        Job<?> t = training;
        if (t != null) { // it runs between the steps of a run that trains the active weights
            throw new ScalesException("the weights cannot change while " + t.name() + " runs; switch when it ends");
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

    /** Called on the worker whenever variants are added, dropped or switched. */
    public void addVariantListener(Consumer<Variants> listener) {
        variantListeners.add(listener);
    }

    private void notifyVariants() {
        Variants now = variants();
        variantListeners.forEach(l -> l.accept(now));
    }

    private void onWorker(String what) {
        if (Thread.currentThread() != worker) {
            throw new IllegalStateException(what + " must run in a job on the model worker");
        }
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
        return models.stream().filter(e -> e.id() == a.model()).findFirst().map(Entry::model).orElse(null);
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

    static String deviceName(ai.djl.Device d) {
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

    /** Called on the worker thread whenever the current model changes (empty after the last unload). */
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

    /** Cancels what is queued or running, unloads every model and stops the worker. */
    @Override
    public void close() {
        jobs().forEach(Job::cancel);
        try {
            enqueue("unload all", Job.Priority.TRAINING, (ignored, ctx) -> {
                for (Entry e : models()) {
                    unloadNow(e.id());
                }
                return (Void) null;
            }, false).future().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing anyway: the worker is a daemon and the process is ending.
        }
        closed = true;
        worker.interrupt();
    }
}
