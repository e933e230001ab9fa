package dev.scales.ui.common;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Carries items from a worker thread to the UI in batches: many items added quickly become one
 * UI update holding all of them, so a fast stream (tokens, training steps) never floods the FX
 * thread with one update per item.
 */
public final class Coalescer<T> {
    private final ConcurrentLinkedQueue<T> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final UiThread ui;
    private final Consumer<List<T>> sink;

    public Coalescer(UiThread ui, Consumer<List<T>> sink) {
        this.ui = ui;
        this.sink = sink;
    }

    /** Any thread. */
    public void add(T item) {
        pending.add(item);
        if (scheduled.compareAndSet(false, true)) {
            ui.run(this::drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        List<T> batch = new ArrayList<>();
        for (T t; (t = pending.poll()) != null; ) {
            batch.add(t);
        }
        if (!batch.isEmpty()) {
            sink.accept(batch);
        }
    }
}
