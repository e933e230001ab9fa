package dev.scales.core.util;

import java.util.function.DoubleConsumer;

/**
 * Work counted in units — bytes read, evaluations, training steps, points, files — handed on as
 * the share done, from 0 to 1, each time some is done. For one thread: the one doing the work.
 */
public final class ProgressCount {
    private final long total;
    private final DoubleConsumer listener;
    private long done;

    /** @param total the units of the whole work (at least 1 is counted) */
    public ProgressCount(long total, DoubleConsumer listener) {
        this.total = Math.max(1, total);
        this.listener = listener;
    }

    /** {@code units} more are done: the listener hears the share done so far. */
    public void add(long units) {
        done += units;
        listener.accept(Math.min(1.0, (double) done / total));
    }
}
