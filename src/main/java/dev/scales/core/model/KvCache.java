package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer for the tokens seen so far, so each new token attends to the
 * past without recomputing it. Each layer's keys and values live in a buffer (B, KV, capacity,
 * hd) that new positions are written into; the buffers grow by doubling, so a generated token
 * costs a write of its own keys and values, not a copy of the whole past. The cache owns its
 * buffers in a manager of its own: a step's temporaries die with the step while the cache lives on.
 *
 * <p>A forward pass first {@link #reserve reserves} room for its T new positions, writes each
 * layer's keys and values at {@link #length()}, then {@link #advance advances} the length by T.
 */
public final class KvCache implements AutoCloseable {
    /** Positions a fresh buffer holds beyond what is asked, so the next tokens need no growth. */
    static final int HEADROOM = 64;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Number of positions cached (S). */
    public long length() {
        return length;
    }

    /** Positions the buffers hold before they must grow. */
    public long capacity() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /**
     * Makes room for {@code t} more positions of a batch of {@code batch} rows with {@code kvHeads}
     * heads of {@code headDim}: allocates the buffers on first use, grows them (to at least twice
     * their size) when they are too short. The cached positions are kept.
     */
    public void reserve(long batch, long kvHeads, long headDim, long t) {
        long needed = length + t;
        if (keys[0] != null) {
            Shape s = keys[0].getShape();
            if (s.get(0) != batch || s.get(1) != kvHeads || s.get(3) != headDim) {
                throw new IllegalArgumentException("a cache of " + s + " cannot take rows of batch " + batch + ", "
                        + kvHeads + " heads of " + headDim);
            }
            if (needed <= s.get(2)) {
                return;
            }
        }
        long capacity = Math.max(needed + HEADROOM, 2 * capacity());
        for (int i = 0; i < keys.length; i++) {
            keys[i] = grown(keys[i], batch, kvHeads, capacity, headDim);
            values[i] = grown(values[i], batch, kvHeads, capacity, headDim);
        }
    }

    private NDArray grown(NDArray old, long batch, long kvHeads, long capacity, long headDim) {
        NDArray buffer = manager.zeros(new Shape(batch, kvHeads, capacity, headDim));
        if (old != null) {
            if (length > 0) {
                NDIndex filled = new NDIndex(":, :, :{}", length);
                try (NDArray past = old.get(filled)) {
                    buffer.set(filled, past);
                }
            }
            old.close();
        }
        return buffer;
    }

    /**
     * Writes this step's keys and values (B, KV, T, hd) for {@code layer} at the current length
     * (room must have been {@link #reserve reserved}) and returns views of the cached positions
     * with them, (B, KV, length + T, hd).
     */
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        if (keys[layer] == null || length + t > capacity()) {
            throw new IllegalStateException("no room reserved for " + t + " positions in layer " + layer);
        }
        NDIndex slots = new NDIndex(":, :, {}:{}", length, length + t);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
        NDIndex filled = new NDIndex(":, :, :{}", length + t);
        NDManager step = k.getManager(); // the views die with the step, not with the cache
        return new NDArray[] {keys[layer].get(step, filled), values[layer].get(step, filled)};
    }

    /** Counts the {@code t} positions a forward pass has just written into every layer. */
    public void advance(long t) {
        if (length + t > capacity()) {
            throw new IllegalStateException("advancing past the reserved room");
        }
        length += t;
    }

    /** Every layer's key buffer (B, KV, capacity, hd), for a forward pass that writes them itself. */
    public NDArray[] keyBuffers() {
        return keys.clone();
    }

    /** Every layer's value buffer (B, KV, capacity, hd). */
    public NDArray[] valueBuffers() {
        return values.clone();
    }

    /** A copy of this cache (e.g. a shared prompt prefix reused for several continuations). */
    public KvCache copy(NDManager parent) {
        return repeatRows(parent, 1);
    }

    /**
     * A cache for {@code rows} sequences, each starting with this cache's positions: a copy when
     * this cache holds one row and {@code rows} is 1, each row repeated {@code rows} times otherwise.
     */
    public KvCache repeatRows(NDManager parent, int rows) {
        KvCache c = new KvCache(parent, keys.length);
        c.length = length;
        if (keys[0] == null) {
            return c;
        }
        long capacity = length + HEADROOM;
        NDIndex filled = new NDIndex(":, :, :{}", length);
        for (int i = 0; i < keys.length; i++) {
            c.keys[i] = c.repeated(keys[i], filled, rows, capacity);
            c.values[i] = c.repeated(values[i], filled, rows, capacity);
        }
        return c;
    }

    private NDArray repeated(NDArray source, NDIndex filled, int rows, long capacity) {
        Shape s = source.getShape();
        NDArray buffer = manager.zeros(new Shape(s.get(0) * rows, s.get(1), capacity, s.get(3)));
        if (length > 0) {
            try (NDArray past = source.get(filled); NDArray repeated = rows == 1 ? null : past.repeat(0, rows)) {
                buffer.set(filled, rows == 1 ? past : repeated); // (rows·B, KV, S, hd)
            }
        }
        return buffer;
    }

    @Override
    public void close() {
        manager.close();
    }
}
