package dev.scales.ui.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Carries items from a worker thread to the UI in batches: many items added quickly become one
 * UI update holding all of them, so a fast stream (tokens, training steps) never floods the FX
 * thread with one update per item. With a minimum interval, updates come at most that often
 * (a chart redraw per batch stays at ~10 per second however fast a run steps).
 */
public final class Coalescer<T> {
    private final ConcurrentLinkedQueue<T> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final UiThread ui;
    private final Consumer<List<T>> sink;
    private final long minIntervalNanos;
    /** Long ago, so the first update goes at once (nanoTime may be negative: no 0 here). */
    private volatile long lastDrain = System.nanoTime() - Long.MAX_VALUE / 2;

    /** Delivers as soon as the UI thread is free. */
    public Coalescer(UiThread ui, Consumer<List<T>> sink) {
        this(ui, 0, sink);
    }

    /** Delivers at most once per {@code minIntervalMillis}. */
    public Coalescer(UiThread ui, long minIntervalMillis, Consumer<List<T>> sink) {
        this.ui = ui;
        this.sink = sink;
        this.minIntervalNanos = TimeUnit.MILLISECONDS.toNanos(minIntervalMillis);
    }

    /** Any thread. */
    public void add(T item) {
        pending.add(item);
        if (scheduled.compareAndSet(false, true)) {
            long wait = lastDrain + minIntervalNanos - System.nanoTime();
            if (wait > 0) {
                ui.runAfter(TimeUnit.NANOSECONDS.toMillis(wait) + 1, this::drain);
            } else {
                ui.run(this::drain);
            }
        }
    }

    /** Delivers what is pending now; on the UI thread (before reporting that the stream ended). */
    public void flush() {
        drain();
    }

    private void drain() {
        scheduled.set(false);
        lastDrain = System.nanoTime();
        List<T> batch = new ArrayList<>();
        for (T t; (t = pending.poll()) != null; ) {
            batch.add(t);
        }
        if (!batch.isEmpty()) {
            sink.accept(batch);
        }
    }
}
