package dev.scales.core.device;

import ai.djl.engine.Engine;
import dev.scales.core.Offline;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one owner of the loaded model. Every piece of model work — loading, unloading, generating,
 * scoring — runs on its worker thread, one job at a time, so the model is never used by two
 * threads at once and grad mode is set on the thread that runs the job. Callers get a future
 * and must observe it; listeners hear when the loaded model changes.
 */
public final class ModelManager implements AutoCloseable {
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scales-model-worker");
        t.setDaemon(true);
        return t;
    });
    private final List<Consumer<Optional<LoadedModel>>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<List<String>>> jobListeners = new CopyOnWriteArrayList<>();
    private final List<String> jobs = new CopyOnWriteArrayList<>();
    private volatile LoadedModel current;

    /** Loads a folder on a device (auto, cpu, gpu0…), replacing the current model once it has loaded. */
    public CompletableFuture<LoadedModel> load(Path folder, String deviceId) {
        return run("load " + dev.scales.core.model.ModelLocations.displayName(folder), () -> {
            Offline.configure();
            GradMode.inference();
            LoadedModel loaded = ModelLoader.load(folder, Devices.resolve(deviceId, Engine.getEngine("PyTorch")));
            // Only now is the old model let go: a failed load leaves it in place.
            LoadedModel old = current;
            current = loaded;
            if (old != null) {
                old.close();
            }
            notifyListeners();
            return loaded;
        });
    }

    public CompletableFuture<Void> unload() {
        return run("unload", () -> {
            LoadedModel old = current;
            current = null;
            if (old != null) {
                old.close();
                notifyListeners();
            }
            return null;
        });
    }

    /** Runs {@code job} on the worker with the current model; fails when none is loaded. */
    public <T> CompletableFuture<T> submit(Function<LoadedModel, T> job) {
        return submit("job", job);
    }

    /** As {@link #submit(Function)}, listed under {@code name} while it is queued or running. */
    public <T> CompletableFuture<T> submit(String name, Function<LoadedModel, T> job) {
        return run(name, () -> {
            LoadedModel m = current;
            if (m == null) {
                throw new dev.scales.core.ScalesException("no model is loaded");
            }
            GradMode.inference();
            return job.apply(m);
        });
    }

    /** Queues work on the worker, listed under its name from queueing to its end, however it ends. */
    private <T> CompletableFuture<T> run(String name, java.util.function.Supplier<T> work) {
        jobs.add(name);
        notifyJobs();
        CompletableFuture<T> f = CompletableFuture.supplyAsync(work, worker);
        f.whenComplete((r, e) -> {
            jobs.remove(name);
            notifyJobs();
        });
        return f;
    }

    /** The jobs queued or running, oldest first. */
    public List<String> jobs() {
        return List.copyOf(jobs);
    }

    /** Called (on any thread) whenever a job is queued or ends. */
    public void addJobListener(Consumer<List<String>> listener) {
        jobListeners.add(listener);
    }

    private void notifyJobs() {
        List<String> now = jobs();
        jobListeners.forEach(l -> l.accept(now));
    }

    public Optional<LoadedModel> current() {
        return Optional.ofNullable(current);
    }

    /** Called on the worker thread whenever the loaded model changes (empty after an unload). */
    public void addListener(Consumer<Optional<LoadedModel>> listener) {
        listeners.add(listener);
    }

    private void notifyListeners() {
        listeners.forEach(l -> l.accept(Optional.ofNullable(current)));
    }

    /** Unloads the model and stops the worker, waiting for the job in progress. */
    @Override
    public void close() {
        unload().join();
        worker.shutdown();
    }
}
