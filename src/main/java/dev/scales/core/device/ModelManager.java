package dev.scales.core.device;

import ai.djl.engine.Engine;
import dev.scales.core.Offline;
import dev.scales.core.ScalesException;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.ModelLocations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one owner of the loaded model and the thread that uses it. Jobs queue by priority —
 * interactive requests first, evaluations next, training last — and run one at a time on the
 * manager's worker, with grad mode set on that thread. A training job yields between optimizer
 * steps ({@link JobContext#yieldToUrgent()}), so a prompt typed during training answers within
 * one step and sees the weights of whole steps only. Loading and unloading queue behind
 * training: a model is never swapped under a run. Every job ends done, cancelled or failed,
 * and its caller observes that through the job's future.
 *
 * <p>The loaded model can run as several {@link Variant}s: its base weights, and each LoRA
 * fine-tune of it, which shares the base weights and adds only its adapters. One variant is active
 * at a time; switching is a job on the worker, so a request sees one variant's weights throughout.
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
    private volatile LoadedModel current;
    private volatile Job<?> training;
    private final MemoryCheck memory;

    private final List<Variant> variants = new CopyOnWriteArrayList<>();
    private final List<Consumer<Variants>> variantListeners = new CopyOnWriteArrayList<>();
    private volatile Variant activeVariant;

    /**
     * Weights the loaded model can run with: the base ({@code adapters} null: as loaded, or as a full
     * fine-tune left them) or the base plus a LoRA adapter.
     */
    public record Variant(long id, String name, LoraAdapters adapters) {
        public boolean isBase() {
            return adapters == null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The loaded model's variants, base first, and the one requests run on (empty and null with no model). */
    public record Variants(List<Variant> all, Variant active) {}

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

    /** Loads a folder on a device (auto, cpu, gpu0…); the old model is let go only once the new one has loaded. */
    public CompletableFuture<LoadedModel> load(Path folder, String deviceId) {
        return enqueue("load " + ModelLocations.displayName(folder), Job.Priority.TRAINING, (ignored, ctx) -> {
            Offline.configure();
            var summary = ModelLoader.inspect(folder);
            ai.djl.Device device = "auto".equalsIgnoreCase(deviceId)
                    ? memory.autoDevice(summary, Engine.getEngine("PyTorch").getGpuCount())
                    : Devices.resolve(deviceId, Engine.getEngine("PyTorch"));
            // Checked before a byte of weights is read; the model being replaced still counts as used.
            memory.require(summary, device);
            LoadedModel loaded = ModelLoader.load(folder, device);
            LoadedModel old = current;
            current = loaded;
            resetVariants(loaded);
            if (old != null) {
                old.close();
            }
            notifyModel();
            return loaded;
        }, false).future();
    }

    public CompletableFuture<Void> unload() {
        return enqueue("unload", Job.Priority.TRAINING, (ignored, ctx) -> {
            LoadedModel old = current;
            current = null;
            resetVariants(null);
            if (old != null) {
                old.close();
                notifyModel();
            }
            return (Void) null;
        }, false).future();
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
            LoadedModel m = current;
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

    private void resetVariants(LoadedModel model) {
        variants.clear(); // the adapters live in the model's memory: closing the model frees them
        activeVariant = null;
        if (model != null) {
            activeVariant = new Variant(ids.incrementAndGet(), "base weights", null);
            variants.add(activeVariant);
        }
        notifyVariants();
    }

    /**
     * Adds a LoRA fine-tune of the loaded model, its adapters attached and active, and makes it the
     * variant requests run on. Only from a job (the worker thread), like every change of weights.
     */
    public Variant addVariant(String name, LoraAdapters adapters) {
        onWorker("adding a variant");
        if (current == null) {
            throw new ScalesException("no model is loaded");
        }
        if (!adapters.isActive()) {
            throw new IllegalArgumentException(name + ": the adapters must be on the model");
        }
        Variant v = new Variant(ids.incrementAndGet(), name, adapters);
        variants.add(v);
        activeVariant = v;
        notifyVariants();
        return v;
    }

    /**
     * Takes the active LoRA adapter off, so the model computes with its base weights (a training job
     * starts from them). Only from a job.
     */
    public void useBase() {
        onWorker("switching to the base weights");
        Variant a = activeVariant;
        if (a != null && !a.isBase()) {
            a.adapters().setActive(false);
            activeVariant = variants.get(0);
            notifyVariants();
        }
    }

    /**
     * A full fine-tune changed the base weights in place: the base variant is renamed, and the LoRA
     * variants, trained on the old weights, are dropped and freed. Only from a job.
     */
    public void baseChanged(String name) {
        onWorker("renaming the base weights");
        useBase();
        for (Variant v : variants.subList(1, variants.size())) {
            v.adapters().close();
        }
        Variant base = new Variant(variants.get(0).id(), name, null);
        variants.clear();
        variants.add(base);
        activeVariant = base;
        notifyVariants();
    }

    /** Queues a switch to variant {@code id}, ahead of evaluations and training; refused while a run trains. */
    public CompletableFuture<Variant> use(long id) {
        return submit("use variant", Job.Priority.INTERACTIVE, (m, ctx) -> {
            if (training != null) { // it runs between the steps of a run that trains the active weights
                throw new ScalesException("the weights cannot change while " + training.name()
                        + " runs; switch when it ends");
            }
            Variant to = variants.stream().filter(v -> v.id() == id).findFirst()
                    .orElseThrow(() -> new ScalesException("no such variant of " + m.name() + " (it was dropped)"));
            Variant from = activeVariant;
            if (to != from) {
                if (!from.isBase()) {
                    from.adapters().setActive(false);
                }
                if (!to.isBase()) {
                    to.adapters().setActive(true);
                }
                activeVariant = to;
                notifyVariants();
            }
            return to;
        }).future();
    }

    /** The loaded model's variants and the active one. */
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

    public Optional<LoadedModel> current() {
        return Optional.ofNullable(current);
    }

    /** Queued and running jobs, in the order they will run (the running one first). */
    public List<Job<?>> jobs() {
        List<Job<?>> list = new ArrayList<>(active);
        list.sort(Comparator.<Job<?>, Boolean>comparing(j -> j.state() != Job.State.RUNNING).thenComparing(ORDER));
        return list;
    }

    /** Called on the worker thread whenever the loaded model changes (empty after an unload). */
    public void addListener(Consumer<Optional<LoadedModel>> listener) {
        listeners.add(listener);
    }

    /** Called (on any thread) whenever a job is queued, starts, waits or ends. */
    public void addJobListener(Consumer<List<Job<?>>> listener) {
        jobListeners.add(listener);
    }

    private void notifyModel() {
        listeners.forEach(l -> l.accept(Optional.ofNullable(current)));
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

    /** Cancels what is queued or running, unloads the model and stops the worker. */
    @Override
    public void close() {
        jobs().forEach(Job::cancel);
        try {
            unload().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing anyway: the worker is a daemon and the process is ending.
        }
        closed = true;
        worker.interrupt();
    }
}
