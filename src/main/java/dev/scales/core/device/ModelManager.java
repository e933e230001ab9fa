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
    private volatile LoadedModel current;

    /** Loads a folder on a device (auto, cpu, gpu0…), replacing the current model once it has loaded. */
    public CompletableFuture<LoadedModel> load(Path folder, String deviceId) {
        return CompletableFuture.supplyAsync(() -> {
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
        }, worker);
    }

    public CompletableFuture<Void> unload() {
        return CompletableFuture.runAsync(() -> {
            LoadedModel old = current;
            current = null;
            if (old != null) {
                old.close();
                notifyListeners();
            }
        }, worker);
    }

    /** Runs {@code job} on the worker with the current model; fails when none is loaded. */
    public <T> CompletableFuture<T> submit(Function<LoadedModel, T> job) {
        return CompletableFuture.supplyAsync(() -> {
            LoadedModel m = current;
            if (m == null) {
                throw new dev.scales.core.ScalesException("no model is loaded");
            }
            GradMode.inference();
            return job.apply(m);
        }, worker);
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
