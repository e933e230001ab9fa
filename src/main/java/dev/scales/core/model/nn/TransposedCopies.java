package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import dev.scales.core.ScalesException;
import dev.scales.core.model.KvCache;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's tall decode matrices (at least twice as many rows as columns: GPT-2's q|k|v and first
 * MLP product, a Llama layer's gate|up, the output head) stored a second time, transposed, for
 * {@link BlasDecode} (decision 0031). Multiplying a vector by a matrix of [out, in] stored as
 * [in, out] runs OpenBLAS's column kernel, which streams these shapes ~20–60% faster on the
 * machines measured than the row kernel that the matrix as stored takes; a decoded token is
 * 12–22% faster (GPT-2, SmolLM2) for as much memory again as the copied matrices (at most
 * {@link #MAX_BYTES} a model).
 *
 * <p>A copy is made on the first product that needs it and follows its source: libtorch counts
 * every write into a tensor or a view of it (the optimizer's step, an adapter merged, a checkpoint
 * restored), and {@link #refresh} copies again any source whose count moved. A copy whose source
 * is no longer bound is freed; all are freed with the model (their manager is closed with the
 * model's), and when the machine runs short of memory ({@link #RELEASE}).
 */
final class TransposedCopies {
    private static final Logger LOG = LoggerFactory.getLogger(TransposedCopies.class);
    /** The most memory the copies of one model take; matrices past it are multiplied as stored. */
    static final long MAX_BYTES = 1L << 30;
    /** Memory a copy must leave available on the machine, or it is not made (a copy is a speed-up, never a reason to swap). */
    static final long RESERVE = 1L << 30;
    /**
     * Memory available below which the copies are freed: half the reserve, so that copies made
     * again after a release (each leaving the reserve) are not freed at the next sequence.
     */
    static final long RELEASE = RESERVE / 2;
    private static volatile boolean enabled = !"false".equals(System.getProperty("scales.decode-transposed"));
    private static final java.util.concurrent.atomic.LongAdder MADE = new java.util.concurrent.atomic.LongAdder();

    private static final String VERSIONS = """
            class TransposedCopiesVersions(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.TransposedCopiesVersions, sources: List[Tensor]) -> Tensor:
                return torch.tensor([s._version() for s in sources], dtype=4)
            """;
    /** Rows and columns of the tiles the transposition walks (two 16 KiB tiles stay in L1). */
    private static final int TILE = 64;

    /** One source's copy; {@code buffer} null when the source is not copied (not tall, or past the budget). */
    private record Copy(NDArray source, int rows, int cols, NDArray copy, FloatBuffer buffer, long[] version) {}

    private final Map<NDArray, Copy> copies = new IdentityHashMap<>();
    private final long maxBytes;
    private final java.util.function.LongSupplier available;
    private NDManager manager;
    private long bytes;
    private java.lang.ref.WeakReference<KvCache> lastCache = new java.lang.ref.WeakReference<>(null);

    TransposedCopies() {
        this(MAX_BYTES, dev.scales.core.util.SystemMemory::available);
    }

    /**
     * Copies taking at most {@code maxBytes} in all, each made only while {@code available}
     * (bytes, or -1 when unknown) stays at least {@link #RESERVE} after it.
     */
    TransposedCopies(long maxBytes, java.util.function.LongSupplier available) {
        this.maxBytes = maxBytes;
        this.available = available;
    }

    /** Turns the copies on or off for decodes from now on (benchmarks and tests compare the two). */
    static void setEnabled(boolean on) {
        enabled = on;
    }

    /**
     * The transposed copy ([cols, rows]) of {@code source}, a row-major [rows, cols] F32 matrix on
     * the CPU, made now if it is tall and fits the budget; null when it is multiplied as stored.
     */
    synchronized FloatBuffer of(NDArray source, int rows, int cols) {
        if (!enabled) {
            return null;
        }
        Copy c = copies.get(source);
        if (c == null) {
            c = make(source, rows, cols);
            copies.put(source, c);
        }
        return c.buffer;
    }

    private Copy make(NDArray source, int rows, int cols) {
        long size = (long) rows * cols * Float.BYTES;
        Copy none = new Copy(source, rows, cols, null, null, null);
        if (rows < 2L * cols || bytes + size > maxBytes) {
            return none;
        }
        long free = available.getAsLong();
        if (free >= 0 && free - size < RESERVE) {
            return none;
        }
        try {
            if (manager == null) {
                // A manager of their own, closed with the model's (a plain closer: the model's
                // arrays stay the model's, and the copies are counted apart, see made()).
                manager = NDManager.newBaseManager(source.getDevice());
                source.getManager().attachInternal(NDManager.nextUid(), (AutoCloseable) manager::close);
            }
            NDArray copy = manager.create(new Shape(cols, rows), DataType.FLOAT32); // every value is written
            Copy c = new Copy(source, rows, cols, copy, BlasDecode.floats(copy), new long[1]);
            SmallPages.ask(c.buffer, size);
            c.version[0] = transposeInto(c);
            bytes += size;
            MADE.increment();
            return c;
        } catch (ScalesException | ai.djl.engine.EngineException e) {
            LOG.warn("decoding without transposed copies ({})", e.getMessage());
            enabled = false;
            return none;
        }
    }

    /**
     * At the first token of a sequence ({@code cache} not the one of the token before): copies
     * again every source written since it was copied, and frees the copies of sources that are not
     * among {@code bound} (replaced or closed). Weights do not change within a sequence (a model
     * trains or decodes, one at a time), and a check at every token would cost more than a
     * library call: libtorch's threads wake for it and take the cores from OpenBLAS's. When the
     * machine has come to have less than {@link #RELEASE} available (another model, a training
     * run, another program), every copy is freed: they are a cache, and the products they serve
     * run from the stored layout, slower; they are made again once there is room.
     */
    synchronized void refresh(NDArray[] bound, KvCache cache) {
        if (copies.isEmpty() || lastCache.get() == cache) {
            return;
        }
        lastCache = new java.lang.ref.WeakReference<>(cache);
        long free = available.getAsLong();
        if (free >= 0 && free < RELEASE) {
            if (bytes > 0) {
                LOG.info("freeing {} MB of transposed decode copies: {} MB of memory available", bytes >> 20,
                        free >> 20);
            }
            copies.values().forEach(this::free);
            copies.clear();
            return;
        }
        Map<NDArray, Boolean> live = new IdentityHashMap<>();
        for (NDArray a : bound) {
            live.put(a, Boolean.TRUE);
        }
        List<Copy> held = new ArrayList<>();
        for (var it = copies.values().iterator(); it.hasNext(); ) {
            Copy c = it.next();
            if (!live.containsKey(c.source) || c.source.isReleased()) {
                it.remove();
                free(c);
            } else if (c.copy != null) {
                held.add(c);
            } else {
                it.remove(); // weighed again at its next product: there may be room now
            }
        }
        if (held.isEmpty()) {
            return;
        }
        try {
            long[] now = versions(held);
            for (int i = 0; i < held.size(); i++) {
                Copy c = held.get(i);
                if (now[i] != c.version[0]) {
                    c.version[0] = transposeInto(c);
                }
            }
        } catch (ScalesException | ai.djl.engine.EngineException e) { // never decode from a copy not known to be current
            LOG.warn("decoding without transposed copies ({})", e.getMessage());
            enabled = false;
            copies.values().forEach(this::free);
            copies.clear();
        }
    }

    private void free(Copy c) {
        if (c.copy != null) {
            bytes -= c.copy.size() * Float.BYTES;
            c.copy.close();
        }
    }

    /** Copies made since the process started (a copy refreshed in place is not made again). */
    static long made() {
        return MADE.sum();
    }

    /** Copies held now and not freed (for tests). */
    synchronized int count() {
        return (int) copies.values().stream().filter(c -> c.copy != null && !c.copy.isReleased()).count();
    }

    /**
     * copy ← sourceᵀ, tile by tile, row bands side by side on the common pool (libtorch's
     * {@code copy_} of a transposed view took 650–950 ms for GPT-2's head, this ~85); returns the
     * source's write count.
     */
    private static long transposeInto(Copy c) {
        FloatBuffer from = BlasDecode.floats(c.source);
        if (from == null) {
            throw new ScalesException("a decode weight is no longer a contiguous F32 CPU tensor");
        }
        int rows = c.rows;
        int cols = c.cols;
        FloatBuffer to = c.buffer;
        java.util.stream.IntStream.range(0, (rows + TILE - 1) / TILE).parallel().forEach(band -> {
            int r0 = band * TILE;
            int r1 = Math.min(rows, r0 + TILE);
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int c1 = Math.min(cols, c0 + TILE);
                for (int r = r0; r < r1; r++) {
                    int at = r * cols;
                    for (int k = c0; k < c1; k++) {
                        to.put(k * rows + r, from.get(at + k));
                    }
                }
            }
        });
        return versions(List.of(c))[0];
    }

    private static long[] versions(List<Copy> held) {
        PtSymbolBlock module = TorchScript.shared("TransposedCopiesVersions", () -> VERSIONS);
        PtNDArray[] sources = held.stream().map(c -> (PtNDArray) c.source).toArray(PtNDArray[]::new);
        try (IValue list = IValue.listFrom(sources);
             IValue out = module.forward(new IValue[] {list});
             NDArray counts = out.toTensor((PtNDManager) sources[0].getManager())) {
            return counts.toLongArray();
        }
    }

    /**
     * Asks Linux to back a copy with ordinary pages: libtorch asks for huge pages for large
     * tensors (decision 0015), whose first touch here compacts memory — GPT-2's copies took
     * 0.8–1.3 s more on the first decoded token instead of ~0.5 — and decoding from them was
     * no faster (alternate runs, 40.2–45.5 against 43.1–47.1 tokens/s).
     */
    private static final class SmallPages {
        private static final int MADV_NOHUGEPAGE = 15;
        private static final LibC LIBC = load();

        interface LibC extends com.sun.jna.Library {
            int madvise(com.sun.jna.Pointer address, long length, int advice);
        }

        private static LibC load() {
            try {
                return com.sun.jna.Platform.isLinux() ? com.sun.jna.Native.load("c", LibC.class) : null;
            } catch (LinkageError e) { // NOPMD: the copy keeps the pages libtorch asked for
                return null;
            }
        }

        static void ask(FloatBuffer memory, long bytes) {
            if (LIBC == null) {
                return;
            }
            long at = new org.bytedeco.javacpp.Pointer(memory).address();
            long start = (at + 4095) & ~4095L; // whole pages inside the copy
            long end = (at + bytes) & ~4095L;
            if (end > start) {
                LIBC.madvise(new com.sun.jna.Pointer(start), end - start, MADV_NOHUGEPAGE);
            }
        }
    }
}
