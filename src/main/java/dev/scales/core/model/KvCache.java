package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of every layer for the tokens seen so far, so each new token attends to the
 * past without recomputing it. The cache owns its tensors in a manager of its own; a step's
 * temporaries can die with the step while the cache lives on.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of positions cached (S). */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /**
     * Appends this step's keys and values (B, KV, T, hd) for {@code layer} and returns the full
     * (B, KV, S, hd) pair. The previous tensors are released.
     */
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k.duplicate() : keys[layer].concat(k, 2);
        NDArray fullV = values[layer] == null ? v.duplicate() : values[layer].concat(v, 2);
        fullK.attach(manager);
        fullV.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = fullK;
        values[layer] = fullV;
        return new NDArray[] {fullK, fullV};
    }

    /** A copy of this cache (e.g. a shared prompt prefix reused for several continuations). */
    public KvCache copy(NDManager parent) {
        KvCache c = new KvCache(parent, keys.length);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                c.keys[i] = keys[i].duplicate();
                c.values[i] = values[i].duplicate();
                c.keys[i].attach(c.manager);
                c.values[i].attach(c.manager);
            }
        }
        return c;
    }

    /** A cache for a batch of {@code rows} sequences that all start with this (batch-1) cache's positions. */
    public KvCache repeatRows(NDManager parent, int rows) {
        KvCache c = new KvCache(parent, keys.length);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                c.keys[i] = keys[i].repeat(0, rows); // (rows, KV, S, hd)
                c.values[i] = values[i].repeat(0, rows);
                c.keys[i].attach(c.manager);
                c.values[i].attach(c.manager);
            }
        }
        return c;
    }

    @Override
    public void close() {
        manager.close();
    }
}
