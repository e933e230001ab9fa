package dev.scales.core.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.model.KvCache;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.FloatBuffer;
import java.util.List;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One new token of one sequence — what every streamed answer repeats — computed in Java around
 * OpenBLAS's matrix–vector products, straight on the tensors' memory (decision 0024). A decoded
 * token reads every weight once and does little else: libtorch's bundled kernels stream those
 * products at 7–33 GB/s here and add ~5–13 µs of dispatch to each of the step's ~60 operators per
 * layer, where OpenBLAS streams 35–43 GB/s and the operators between products cost a loop over a
 * few hundred floats each.
 *
 * <p>It applies to a forward pass of one position of one row, on the CPU, with the KV cache, no
 * attention bias and nothing recording gradients, in F32; anything else (prompts, batches, the
 * GPU, training) runs the compiled TorchScript forward as before, and so does everything when
 * OpenBLAS cannot be loaded. Each family writes its step ({@link Step}) in the same slot order as
 * its script, so both read the same weights: the model's own arrays, adapters included.
 *
 * <p>The weights' addresses are taken once and kept while the slots hold the same live arrays;
 * a weight replaced or closed (adapters detached, a model freed) is noticed on the next call.
 * Tall matrices are multiplied from their transposed copies ({@link TransposedCopies}).
 */
public final class BlasDecode {
    private static final Logger LOG = LoggerFactory.getLogger(BlasDecode.class);
    private static volatile boolean enabled = !"false".equals(System.getProperty("scales.blas-decode"));
    private static final java.util.concurrent.atomic.LongAdder STEPS = new java.util.concurrent.atomic.LongAdder();

    private BlasDecode() {}

    /** A family's step: token {@code token} at {@code position} through every layer into {@code logits}. */
    public interface Step {
        void run(Context c, int token, int position, FloatBuffer logits);
    }

    /** Turns the OpenBLAS step on or off for this process (benchmarks and tests compare the two paths). */
    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** What decodes single tokens on the CPU, for the About box and {@code info}. */
    public static String describe() {
        if (!Native.LOADED) {
            return "libtorch (OpenBLAS did not load: " + Native.FAILURE + ")";
        }
        String version;
        try {
            version = org.bytedeco.javacpp.Loader.getVersion("org.bytedeco", "openblas");
        } catch (java.io.IOException e) {
            version = null;
        }
        String blas = "OpenBLAS" + (version == null ? "" : " " + version.split("-")[0]);
        return enabled ? blas + ", one token of one sequence on the CPU; libtorch for the rest"
                : "libtorch (" + blas + " switched off)";
    }

    /** Tokens decoded here since the process started (the benchmark reports which kernel decoded). */
    public static long steps() {
        return STEPS.sum();
    }

    /** True when OpenBLAS loaded in this process. */
    static boolean blasLoaded() {
        return Native.LOADED;
    }

    /** True when single-token steps run here: switched on and OpenBLAS loaded. */
    public static boolean active() {
        return enabled && Native.LOADED;
    }

    /**
     * The logits (1, 1, V) of one new token, attached to the manager of {@code ids}, or null when
     * this pass is not a single-token CPU step (the caller runs its compiled forward instead).
     */
    public static NDArray run(CompiledInference.Slots slots, NDArray none, NDArray ids, NDArray positions,
                              NDArray bias, KvCache cache, long kvHeads, long headDim, Step step) {
        if (!active() || cache == null || bias != null || JniUtils.isGradMode()
                || !ids.getDevice().getDeviceType().equals(Device.Type.CPU)
                || ids.getShape().get(0) != 1 || ids.getShape().get(1) != 1) {
            return null;
        }
        List<NDArray> arrays = slots.arrays(none);
        Bound weights = arrays == null ? null : slots.bound(arrays);
        if (weights == null) {
            return null;
        }
        weights.copies.refresh(weights.arrays, cache);
        int token = Math.toIntExact(ids.toLongArray()[0]);
        int position = Math.toIntExact(positions.toLongArray()[0]);
        cache.reserve(1, kvHeads, headDim, 1);
        NDArray[] keys = cache.keyBuffers();
        NDArray[] values = cache.valueBuffers();
        Context c = new Context(weights, new FloatBuffer[keys.length], new FloatBuffer[keys.length],
                Math.toIntExact(cache.capacity()), Math.toIntExact(cache.length()));
        for (int i = 0; i < keys.length; i++) {
            c.keys[i] = floats(keys[i]);
            c.values[i] = floats(values[i]);
            if (c.keys[i] == null || c.values[i] == null) {
                return null;
            }
        }
        long vocab = weights.rows[weights.rows.length - 5]; // the head is the last projection
        NDArray logits = ids.getManager().create(new Shape(1, 1, vocab), DataType.FLOAT32); // every value is written
        step.run(c, token, position, floats(logits));
        cache.advance(1);
        STEPS.increment();
        return logits;
    }

    /**
     * The arrays' addresses and shapes, or null when one is not a contiguous F32 CPU tensor. An
     * absent bias or adapter (an empty tensor) has a null buffer.
     */
    static Bound bind(List<NDArray> arrays, TransposedCopies copies) {
        int n = arrays.size();
        Bound b = new Bound(arrays.toArray(NDArray[]::new), new FloatBuffer[n], new int[n], new int[n], new float[n],
                copies);
        for (int i = 0; i < n; i++) {
            NDArray a = b.arrays[i];
            Shape s = a.getShape();
            if (s.size() == 0) {
                continue;
            }
            if (s.dimension() == 0) { // an adapter's α/r
                b.scalars[i] = a.toFloatArray()[0];
                continue;
            }
            b.buffers[i] = floats(a);
            if (b.buffers[i] == null) {
                return null;
            }
            b.rows[i] = Math.toIntExact(s.get(0));
            b.cols[i] = Math.toIntExact(s.size() / s.get(0));
        }
        return b;
    }

    /** The array's memory as floats, or null when it is not a contiguous F32 tensor on the CPU. */
    public static FloatBuffer floats(NDArray a) {
        if (a.getDataType() != DataType.FLOAT32 || !a.getDevice().getDeviceType().equals(Device.Type.CPU)
                || !Native.contiguous((PtNDArray) a)) {
            return null;
        }
        return JniUtils.getByteBuffer((PtNDArray) a, true).asFloatBuffer();
    }

    /** The slots' arrays as bound: the same objects, their memory and shapes. */
    static final class Bound {
        final NDArray[] arrays;
        final FloatBuffer[] buffers;
        final int[] rows;
        final int[] cols;
        final float[] scalars;
        final TransposedCopies copies;

        Bound(NDArray[] arrays, FloatBuffer[] buffers, int[] rows, int[] cols, float[] scalars,
              TransposedCopies copies) {
            this.arrays = arrays;
            this.buffers = buffers;
            this.rows = rows;
            this.cols = cols;
            this.scalars = scalars;
            this.copies = copies;
        }

        /** True while {@code now} are the very arrays bound, none of them closed. */
        boolean holds(List<NDArray> now) {
            if (now.size() != arrays.length) {
                return false;
            }
            for (int i = 0; i < arrays.length; i++) {
                if (now.get(i) != arrays[i] || arrays[i].isReleased()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What a step reads and writes: the bound weights, each layer's cache buffers and scratch vectors. */
    public static final class Context {
        private final Bound w;
        private final FloatBuffer[] keys;
        private final FloatBuffer[] values;
        private final int capacity;
        private final int past;
        private final Scratch scratch = SCRATCH.get();

        Context(Bound w, FloatBuffer[] keys, FloatBuffer[] values, int capacity, int past) {
            this.w = w;
            this.keys = keys;
            this.values = values;
            this.capacity = capacity;
            this.past = past;
        }

        /** A direct scratch vector of at least {@code n} floats; {@code slot} 0–9 keeps them apart (6 and 7 are the attention's and the adapters' own). */
        public FloatBuffer vector(int slot, int n) {
            return scratch.get(slot, n);
        }

        /** The weight at {@code slot} (a norm's scale, an embedding table). */
        public FloatBuffer weight(int slot) {
            return w.buffers[slot];
        }

        /** Copies row {@code row} of the table at {@code slot} into {@code out} (out = row, or out += row). */
        public void row(int slot, int row, FloatBuffer out, boolean add) {
            int cols = w.cols[slot];
            if (row < 0 || row >= w.rows[slot]) {
                throw new IndexOutOfBoundsException("row " + row + " of a table of " + w.rows[slot]);
            }
            FloatBuffer t = w.buffers[slot];
            int at = row * cols;
            for (int i = 0; i < cols; i++) {
                out.put(i, add ? out.get(i) + t.get(at + i) : t.get(at + i));
            }
        }

        /**
         * The projection whose five slots start at {@code slot}: y = W x + b + s·B(A x), or y += the
         * same when {@code accumulate}. x holds W's columns, y its rows.
         */
        public void project(int slot, FloatBuffer x, FloatBuffer y, boolean accumulate) {
            product(slot, x, accumulate ? 1f : 0f, y);
            addBiasAndAdapter(slot, x, y);
        }

        /** y += b + s·B(A x) of the projection at {@code slot}, for what it has of them. */
        private void addBiasAndAdapter(int slot, FloatBuffer x, FloatBuffer y) {
            int out = w.rows[slot];
            int in = w.cols[slot];
            FloatBuffer b = w.buffers[slot + 1];
            if (b != null) {
                for (int i = 0; i < out; i++) {
                    y.put(i, y.get(i) + b.get(i));
                }
            }
            FloatBuffer a = w.buffers[slot + 2];
            if (a != null) {
                int rank = w.rows[slot + 2];
                FloatBuffer down = vector(7, rank);
                DecodeKernels.gemv(a, rank, in, w.scalars[slot + 4], x, 0f, down);
                DecodeKernels.gemv(w.buffers[slot + 3], out, rank, 1f, down, 1f, y);
            }
        }

        /**
         * The {@code count} projections from {@code slot} on (five slots apart) of the same input
         * {@code x}, their outputs one after another in {@code y}: one product with the group's joined
         * matrix at {@code joined} when there is one ({@link WeightGroups}), else one each; biases
         * and adapters are added per projection.
         */
        public void project(int joined, int slot, int count, FloatBuffer x, FloatBuffer y) {
            FloatBuffer all = w.buffers[joined];
            if (all != null) {
                product(joined, x, 0f, y);
            }
            int at = 0;
            for (int p = 0; p < count; p++) {
                int s = slot + 5 * p;
                FloatBuffer part = y.slice(at, w.rows[s]);
                if (all == null) {
                    project(s, x, part, false);
                } else {
                    addBiasAndAdapter(s, x, part);
                }
                at += w.rows[s];
            }
        }

        /** y = W x + beta·y for the matrix W at {@code slot}, from its transposed copy where it has one. */
        private void product(int slot, FloatBuffer x, float beta, FloatBuffer y) {
            int rows = w.rows[slot];
            int cols = w.cols[slot];
            FloatBuffer transposed = w.copies.of(w.arrays[slot], rows, cols);
            if (transposed != null) {
                DecodeKernels.gemvTransposed(transposed, cols, rows, x, beta, y);
            } else {
                DecodeKernels.gemv(w.buffers[slot], rows, cols, 1f, x, beta, y);
            }
        }

        /** Rows of the projection at {@code slot} (its output size). */
        public int rows(int slot) {
            return w.rows[slot];
        }

        /**
         * Attention of this token's query heads {@code q} (heads × hd) over the cached positions and
         * itself, after writing its keys {@code k} and values {@code v} (kvHeads × hd) into layer
         * {@code layer}'s cache; query head h reads key/value head h / (heads / kvHeads). Output
         * (heads × hd) in {@code out}.
         */
        public void attend(int layer, FloatBuffer q, FloatBuffer k, FloatBuffer v, int heads, int kvHeads, int hd,
                           float scale, FloatBuffer out) {
            FloatBuffer keyCache = keys[layer];
            FloatBuffer valueCache = values[layer];
            for (int g = 0; g < kvHeads; g++) {
                int at = (g * capacity + past) * hd;
                for (int i = 0; i < hd; i++) {
                    keyCache.put(at + i, k.get(g * hd + i));
                    valueCache.put(at + i, v.get(g * hd + i));
                }
            }
            int n = past + 1;
            FloatBuffer scores = vector(6, n);
            int group = heads / kvHeads;
            for (int h = 0; h < heads; h++) {
                int g = h / group;
                FloatBuffer kg = keyCache.slice(g * capacity * hd, n * hd);
                FloatBuffer vg = valueCache.slice(g * capacity * hd, n * hd);
                DecodeKernels.gemv(kg, n, hd, scale, q.slice(h * hd, hd), 0f, scores);
                DecodeKernels.softmax(scores, n);
                DecodeKernels.gemvTransposed(vg, n, hd, scores, 0f, out.slice(h * hd, hd));
            }
        }
    }

    /** Scratch vectors of one thread, grown on demand and kept (a step allocates nothing). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        private final FloatBuffer[] vectors = new FloatBuffer[10];

        FloatBuffer get(int slot, int n) {
            FloatBuffer v = vectors[slot];
            if (v == null || v.capacity() < n) {
                v = java.nio.ByteBuffer.allocateDirect(Math.max(n, 64) * Float.BYTES)
                        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                vectors[slot] = v;
            }
            return v;
        }
    }

    /** OpenBLAS, loaded once, and libtorch's contiguity test (not public in DJL). */
    private static final class Native {
        static final Method IS_CONTIGUOUS;
        static final Object LIB;
        static final boolean LOADED;
        static final String FAILURE;

        static {
            Method isContiguous = null;
            Object lib = null;
            boolean loaded = false;
            String why = "";
            try {
                Class<?> c = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
                Field f = c.getDeclaredField("LIB");
                f.setAccessible(true);
                lib = f.get(null);
                isContiguous = c.getDeclaredMethod("torchIsContiguous", long.class);
                isContiguous.setAccessible(true);
                org.bytedeco.javacpp.Loader.load(openblas_nolapack.class);
                loaded = true;
            } catch (Throwable e) { // NOPMD: any failure here only means the compiled forward decodes
                why = e.toString();
                LOG.warn("OpenBLAS is not available ({}); tokens are decoded by libtorch", why);
            }
            IS_CONTIGUOUS = isContiguous;
            LIB = lib;
            LOADED = loaded;
            FAILURE = why;
        }

        static boolean contiguous(PtNDArray a) {
            try {
                return (Boolean) IS_CONTIGUOUS.invoke(LIB, a.getHandle());
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }
}
