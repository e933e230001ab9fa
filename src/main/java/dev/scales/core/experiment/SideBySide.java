package dev.scales.core.experiment;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.ScalesException;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs an experiment's independent cells (a seed, a number of labelled examples) side by side,
 * each on a model of its own, one intra-op thread per cell. A small model's fine-tuning step is
 * made of products too small to share between cores — a second OpenMP thread mostly waits — so
 * on the CPU several cells at once use the cores where one cell cannot
 * (docs/decisions/0030-experiment-cells-side-by-side.md).
 *
 * <p>With one worker the cells run on the calling thread, on the model given, in order. With
 * more, each worker takes an in-memory copy of the model, so adapters attached by one cell never
 * touch another's; a cell's result depends only on the cell, not on which worker ran it or when.
 */
final class SideBySide implements AutoCloseable {
    /** Models up to this size run their cells side by side on the CPU (each worker holds a copy). */
    static final long SMALL_MODEL_BYTES = 64L << 20;

    private final LoadedModel base;
    private final int workers;
    private final BlockingQueue<LoadedModel> models;
    private final List<LoadedModel> copies = new ArrayList<>();
    private final ExecutorService pool;
    private final int threadsBefore;

    private SideBySide(LoadedModel base, int workers) {
        this.base = base;
        this.workers = workers;
        this.models = new ArrayBlockingQueue<>(Math.max(1, workers));
        if (workers == 1) {
            pool = null;
            threadsBefore = 0;
            return;
        }
        threadsBefore = JniUtils.getNumThreads();
        try {
            for (int i = 0; i < workers; i++) {
                LoadedModel copy = ModelLoader.copyOf(base);
                copies.add(copy);
                models.add(copy);
            }
        } catch (RuntimeException | Error e) {
            copies.forEach(LoadedModel::close);
            throw e;
        }
        pool = Executors.newFixedThreadPool(workers, task -> {
            Thread t = new Thread(() -> {
                // libtorch's thread count and grad mode are the thread's own (OpenMP's and MKL's
                // settings are per thread); the global count is put back in close().
                JniUtils.setNumThreads(1);
                GradMode.inference();
                task.run();
            }, "experiment-cell");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Workers for {@code base}: {@code requested} when positive, else as many as the CPU has cores
     * for a model of at most {@link #SMALL_MODEL_BYTES} on the CPU, and one otherwise (a GPU, or a
     * model whose products fill the cores by themselves).
     */
    static SideBySide open(LoadedModel base, int requested, int cells) {
        int n = requested > 0 ? requested : auto(base);
        return new SideBySide(base, Math.max(1, Math.min(n, cells)));
    }

    private static int auto(LoadedModel base) {
        long bytes = base.lm().namedParameters().values().stream().mapToLong(w -> w.shape().size() * 4).sum();
        return auto(bytes, base.device(), Runtime.getRuntime().availableProcessors());
    }

    /** Workers for a model of {@code weightBytes} (as 32-bit floats) on {@code device} with {@code cores} cores. */
    static int auto(long weightBytes, Device device, int cores) {
        return device.getDeviceType().equals(Device.Type.CPU) && weightBytes <= SMALL_MODEL_BYTES ? cores : 1;
    }

    int workers() {
        return workers;
    }

    /**
     * Runs {@code cells} and hands each result to {@code done} in the order of {@code cells}, on the
     * calling thread, as soon as it and every cell before it have finished. A failed cell ends the
     * run with its exception once the cells already running have finished; {@code cancelled} is
     * read before each cell starts.
     */
    <T> void run(List<Function<LoadedModel, T>> cells, java.util.function.Consumer<T> done,
                 java.util.function.BooleanSupplier cancelled) {
        if (pool == null) {
            for (Function<LoadedModel, T> cell : cells) {
                check(cancelled);
                done.accept(cell.apply(base));
            }
            return;
        }
        List<Future<T>> futures = new ArrayList<>();
        for (Function<LoadedModel, T> cell : cells) {
            futures.add(pool.submit(() -> {
                check(cancelled);
                LoadedModel model = models.take();
                try {
                    return cell.apply(model);
                } finally {
                    models.add(model);
                }
            }));
        }
        try {
            for (Future<T> f : futures) {
                done.accept(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the experiment's cells ran");
        } catch (ExecutionException e) {
            throw unwrapped(e.getCause());
        } finally {
            futures.forEach(f -> f.cancel(false));
        }
    }

    /** Waits for the cells still running, frees the copies and puts libtorch's thread count back. */
    @Override
    public void close() {
        if (pool == null) {
            return;
        }
        pool.shutdown();
        boolean interrupted = false;
        // A running cell finishes its fine-tune before it can notice anything: its model must not
        // be freed under it, so this waits even when interrupted.
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        copies.forEach(LoadedModel::close);
        JniUtils.setNumThreads(threadsBefore);
    }

    private static RuntimeException unwrapped(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new ScalesException("an experiment cell failed: " + cause, cause);
    }

    /** Throws the experiment's cancellation when {@code cancelled} says so. */
    static void check(java.util.function.BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("the experiment was cancelled");
        }
    }
}
