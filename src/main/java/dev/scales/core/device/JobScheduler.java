package dev.scales.core.device;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.device.ModelManager.Variant;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The {@link ModelManager}'s scheduler: a worker per device — its lane, a thread and a queue,
 * created when a job first needs it — whose jobs run one at a time by priority, and the process's
 * one training slot. A training job yields between optimizer steps to the more urgent jobs of its
 * lane, which run on its thread. A model job gets its variant's model from the registry when it
 * starts. The schedule lock guards every lane's queue and the training slot; job listeners are
 * told one at a time.
 */
final class JobScheduler {
    private static final Comparator<Job<?>> ORDER = Comparator.<Job<?>, Integer>comparing(j -> j.priority().ordinal())
            .thenComparingLong(Job::id);
    private static final String ANOTHER_RUN = "another fine-tuning run is in progress";

    /** What a queued job runs against. */
    enum Kind {
        /** A request on a model: it runs on the variant bound at submission, in that model's lane. */
        MODEL,
        /** Work that loads what it needs itself and may train, so it takes the training slot. */
        STANDALONE,
        /** Work bound to no variant that does not train: loading, unloading, discarding, standalone work that says so. */
        OTHER
    }

    /** A job in a lane; {@code variant} is the one a model job runs on (a training job may move it). */
    static final class Queued<T> {
        final Job<T> job;
        final Kind kind;
        volatile Variant variant;
        private final Lane lane;
        private final BiFunction<LoadedModel, JobContext, T> work;

        private Queued(Job<T> job, Lane lane, Kind kind, Variant variant, BiFunction<LoadedModel, JobContext, T> work) {
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
            thread = new Thread(() -> {
                WorkerPriority.lowerThisThread();
                loop(this);
            }, "scales-worker " + device);
            thread.setDaemon(true);
        }
    }

    private final ModelRegistry registry;
    private final AtomicLong ids;
    private final List<Job<?>> active = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<Job<?>>>> jobListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** Guards every lane's queue and the training slot; workers wait on it for work. */
    private final Object schedule = new Object();
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** The job holding the process's one training slot (null: free). */
    private Queued<?> training;
    /** The job running on this thread (a worker's, or one run between a training's steps). */
    private final ThreadLocal<Queued<?>> running = new ThreadLocal<>();

    /** A scheduler whose model jobs run on {@code registry}'s models, numbering its jobs from {@code ids}. */
    JobScheduler(ModelRegistry registry, AtomicLong ids) {
        this.registry = registry;
        this.ids = ids;
        lane(Device.cpu());
    }

    private Lane lane(Device device) {
        return lanes.computeIfAbsent(Devices.name(device), name -> {
            Lane l = new Lane(name);
            l.thread.start();
            return l;
        });
    }

    /** Queues {@code work} of {@code kind} in the lane of {@code device}; a model job runs on {@code variant}. */
    <T> Job<T> enqueue(String name, Job.Priority priority, Device device, Kind kind, Variant variant,
                       BiFunction<LoadedModel, JobContext, T> work) {
        return enqueue(name, priority, lane(device), kind, variant, work);
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
            LoadedModel m = q.kind == Kind.MODEL ? registry.modelFor(q.variant) : null;
            value = q.work.apply(m, context(q));
        } catch (Throwable e) {
            error = failure(job, e);
        } finally {
            GradMode.inference();
            running.set(outer);
            if (outer != null && outer.kind == Kind.MODEL && outer.variant != null) {
                registry.restore(outer.variant); // the run that yielded goes on with its own weights
            }
            active.remove(job);
            job.finish(value, error);
            release(q); // the next run starts only once this one has ended
        }
    }

    /** What {@code job} reports for {@code e}: running out of memory says the model stays loaded, and what to try. */
    private static Throwable failure(Job<?> job, Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return new ScalesException(job.name() + " ran out of Java memory (" + e.getMessage() + "); the model "
                    + "stays loaded. Start the app with a larger -Xmx or -XX:MaxDirectMemorySize, or use a smaller model "
                    + "or batch", e);
        }
        if (e instanceof ai.djl.engine.EngineException) {
            String m = String.valueOf(e.getMessage());
            return m.toLowerCase(Locale.ROOT).contains("out of memory")
                    ? new ScalesException(job.name() + " ran out of device memory; the model stays loaded. Try a smaller "
                            + "batch, LoRA instead of full fine-tuning, or the CPU", e)
                    : new ScalesException(job.name() + " failed in the engine: " + m, e);
        }
        return e;
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

    /** The model job running on this thread; changing weights is its business only. */
    Queued<?> modelJob(String what) {
        Queued<?> q = running.get();
        if (q == null || q.kind != Kind.MODEL || q.variant == null) {
            throw new IllegalStateException(what + " must run in a job on a model worker");
        }
        return q;
    }

    /** Refuses to change the weights of {@code model} while a run trains it. */
    void notWhileTraining(long model) {
        Queued<?> t;
        synchronized (schedule) {
            t = training;
        }
        if (t != null && t.kind == Kind.MODEL && t.variant != null && t.variant.model() == model) {
            throw new ScalesException("the weights cannot change while " + t.job.name() + " runs; switch when it ends");
        }
    }

    /** Queued and running jobs, in the order they will run (the running one first). */
    List<Job<?>> jobs() {
        List<Job<?>> list = new ArrayList<>(active);
        list.sort(Comparator.<Job<?>, Boolean>comparing(j -> j.state() != Job.State.RUNNING).thenComparing(ORDER));
        return list;
    }

    void addJobListener(Consumer<List<Job<?>>> listener) {
        jobListeners.add(listener);
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
    List<String> workers() {
        return lanes.keySet().stream().sorted().toList();
    }

    /**
     * Cancels what is queued or running, then queues {@code last} in every lane, given its device —
     * it starts once that lane's running job has stopped, so it may free what the job used — waits
     * for them up to a minute, and stops the workers. Closing twice is nothing more.
     */
    void close(String name, Consumer<String> last) {
        if (closed) {
            return; // closing twice (the window, then the process) is nothing more
        }
        jobs().forEach(Job::cancel);
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            ends.add(enqueue(name, Job.Priority.TRAINING, lane, Kind.OTHER, null, (ignored, ctx) -> {
                last.accept(lane.device);
                return (Void) null;
            }).future());
        }
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Closing anyway: the workers are daemons and the process is ending.
        }
        closed = true;
        lanes.values().forEach(l -> l.thread.interrupt());
    }
}
