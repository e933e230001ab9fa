package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * A training step's output head and next-token loss in one pass on the CPU: the logits of a chunk
 * of counted rows come from OpenBLAS into one reused buffer, turn into their softmax there (libtorch's
 * vectorised in-place operators), and give the gradients of the final hidden states — and of the
 * head, when it is trained — before the next chunk. Rows that do not count (padding, prompts) are
 * never multiplied. libtorch's tied head runs MKL's generic kernels on AMD CPUs at half OpenBLAS's
 * speed and keeps four logits-sized tensors per step; here one chunk of at most {@link #CHUNK_FLOATS}.
 *
 * <p>The hidden states' gradient enters autograd through a surrogate whose value is the loss and
 * whose derivative is exactly it: {@code s − detach(s) + loss}, with {@code s = Σ hidden·∂hidden}.
 */
public final class FusedHeadLoss {
    /**
     * Floats in a chunk's logits: just under 32 MiB, glibc's largest size that a freed block is
     * reused for rather than returned to the kernel (fresh pages fault in on every use): 165 rows of
     * GPT-2's vocabulary, 55 of Qwen2.5's.
     */
    static final int CHUNK_FLOATS = (32 << 20) / Float.BYTES - (16 << 10);
    /** The most a step's head and loss hold here: one chunk of logits. */
    public static final long CHUNK_BYTES = (long) CHUNK_FLOATS * Float.BYTES;
    /**
     * Weights from which the head is worth it (GPT-2's has 38.6 million, SmolLM2's 28.3 million): on
     * the bundled model (0.2 million) the Compare experiment ran 4× slower with it (525 against 130 s),
     * each of its many small steps waiting for OpenBLAS's threads to stop spinning.
     */
    static final long MIN_HEAD = 1L << 24;
    private static final boolean ENABLED = !"false".equals(System.getProperty("scales.fused-head-loss"));

    private FusedHeadLoss() {}

    /** True when {@link #loss} can run with this head: OpenBLAS loaded, a contiguous F32 matrix on the CPU. */
    public static boolean applies(NDArray head) {
        return ENABLED && head != null && head.size() >= MIN_HEAD && BlasDecode.blasLoaded()
                && BlasDecode.floats(head) != null;
    }

    /**
     * The mean next-token loss over the counted positions times {@code scale}, differentiable with
     * respect to {@code hidden}. When the head is trained its gradient is added straight into the
     * head's gradient once libtorch holds one (from the first backward pass on), before this
     * pass's backward adds the rest; the first time it goes through autograd with the hidden states'.
     *
     * @param hidden   (B, T, C) the final norm's output
     * @param head     (V, C) the output head
     * @param targets  B·T token ids, row-major: the token each position should predict
     * @param weights  B·T weights, 1 where the loss counts and 0 elsewhere
     * @param count    the sum of the weights
     * @param scale    what the mean loss is multiplied by (a micro-batch's share of a step)
     * @param scope    where the result and what autograd keeps for the backward pass live
     */
    public static NDArray loss(NDArray hidden, NDArray head, long[] targets, float[] weights, float count,
                               float scale, NDManager scope) {
        return loss(hidden, head, targets, weights, count, scale, scope, CHUNK_FLOATS);
    }

    /** As {@link #loss(NDArray, NDArray, long[], float[], float, float, NDManager)}, in chunks of at most {@code chunkFloats} logits. */
    static NDArray loss(NDArray hidden, NDArray head, long[] targets, float[] weights, float count, float scale,
                        NDManager scope, int chunkFloats) {
        int width = Math.toIntExact(head.getShape().get(1));
        int vocab = Math.toIntExact(head.getShape().get(0));
        int[] counted = counted(targets, weights, vocab);
        NDArray states = BlasDecode.floats(hidden) != null ? hidden : hidden.duplicate(); // contiguous, differentiable
        NDArray gradHidden = scope.zeros(states.getShape());
        float denominator = Math.max(1f, count) / scale;
        double total = 0;
        try (NDManager work = scope.newSubManager()) {
            NDArray heldGradient = head.hasGradient() ? gradientOf(head, work) : null;
            NDArray gradHead = head.hasGradient() && heldGradient == null ? scope.zeros(head.getShape()) : null;
            NDArray headGradient = heldGradient != null ? heldGradient : gradHead;
            if (counted.length > 0) {
                int rows = Math.max(1, Math.min(counted.length, chunkFloats / vocab));
                Chunk chunk = new Chunk(work, rows, width, vocab, BlasDecode.floats(states), BlasDecode.floats(head),
                        BlasDecode.floats(gradHidden), headGradient == null ? null : BlasDecode.floats(headGradient));
                for (int start = 0; start < counted.length; start += rows) {
                    total += chunk.run(counted, start, Math.min(rows, counted.length - start), targets, weights,
                            denominator);
                }
            }
            NDArray surrogate = gradHidden.mul(states).sum(); // on the scope: the first operand's manager
            if (gradHead != null) {
                surrogate = surrogate.add(gradHead.mul(head).sum());
            }
            return surrogate.sub(surrogate.stopGradient()).add(scope.create((float) (total / denominator)));
        }
    }

    /** The head's gradient as libtorch holds it (attached to {@code work}), or null before its first backward pass. */
    private static NDArray gradientOf(NDArray head, NDManager work) {
        NDArray gradient = JniUtils.getGradient((PtNDArray) head);
        if (gradient == null) {
            return null;
        }
        gradient.attach(work);
        return BlasDecode.floats(gradient) != null ? gradient : null;
    }

    /** The positions whose weight is not 0; a target outside the vocabulary is refused by name. */
    private static int[] counted(long[] targets, float[] weights, int vocab) {
        int n = 0;
        int[] rows = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            if (weights[i] != 0f) {
                if (targets[i] < 0 || targets[i] >= vocab) {
                    throw new IllegalArgumentException("token id " + targets[i] + " at position " + i
                            + " is outside the model's vocabulary of " + vocab);
                }
                rows[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(rows, n);
    }

    /** One chunk's buffers, reused from chunk to chunk. */
    private static final class Chunk {
        private final NDManager work;
        private final int width;
        private final int vocab;
        private final FloatBuffer hidden;
        private final FloatBuffer head;
        private final FloatBuffer gradHidden;
        private final FloatBuffer gradHead;
        private final NDArray logits;
        private final FloatBuffer logitsMemory;
        private final FloatBuffer in;
        private final FloatBuffer out;

        Chunk(NDManager work, int rows, int width, int vocab, FloatBuffer hidden, FloatBuffer head,
              FloatBuffer gradHidden, FloatBuffer gradHead) {
            this.work = work;
            this.width = width;
            this.vocab = vocab;
            this.hidden = hidden;
            this.head = head;
            this.gradHidden = gradHidden;
            this.gradHead = gradHead;
            logits = work.create(new Shape(rows, vocab), DataType.FLOAT32); // every value used is written
            logitsMemory = BlasDecode.floats(logits);
            in = BlasDecode.floats(work.create(new Shape(rows, width), DataType.FLOAT32));
            out = BlasDecode.floats(work.create(new Shape(rows, width), DataType.FLOAT32));
        }

        /** The weighted sum of the chunk's losses; its gradients written into the step's. */
        double run(int[] counted, int start, int rows, long[] targets, float[] weights, float denominator) {
            for (int r = 0; r < rows; r++) {
                in.put(r * width, hidden, counted[start + r] * width, width);
            }
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasTrans, rows, vocab, width, 1f, in, width, head, width, 0f, logitsMemory, vocab);
            double total = 0;
            float[] scales = new float[rows];
            NDArray l = rows == logits.getShape().get(0) ? logits : logits.get(new NDIndex("0:" + rows));
            try (NDArray p = l.softmax(1)) {
                FloatBuffer probabilities = BlasDecode.floats(p);
                for (int r = 0; r < rows; r++) {
                    int target = (int) targets[counted[start + r]];
                    float w = weights[counted[start + r]];
                    float q = probabilities.get(r * vocab + target);
                    total += w * (q >= Float.MIN_NORMAL ? -Math.log(q) : exactLoss(r, target));
                    scales[r] = w / denominator;
                }
                try (NDArray factors = work.create(scales, new Shape(rows, 1))) {
                    p.muli(factors);
                }
                for (int r = 0; r < rows; r++) {
                    int at = r * vocab + (int) targets[counted[start + r]];
                    probabilities.put(at, probabilities.get(at) - scales[r]);
                }
                gradients(counted, start, rows, probabilities);
            }
            if (l != logits) {
                l.close();
            }
            return total;
        }

        /** −log softmax(row)[target] from the logits themselves, where the probability is too small for a float. */
        private double exactLoss(int row, int target) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) {
                max = Math.max(max, logitsMemory.get(row * vocab + j));
            }
            double sum = 0;
            for (int j = 0; j < vocab; j++) {
                sum += Math.exp(logitsMemory.get(row * vocab + j) - max);
            }
            return max + Math.log(sum) - logitsMemory.get(row * vocab + target);
        }

        /** ∂hidden of the chunk's rows (and ∂head added up), from ∂logits. */
        private void gradients(int[] counted, int start, int rows, FloatBuffer gradLogits) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasNoTrans, rows, width, vocab, 1f, gradLogits, vocab, head, width, 0f, out, width);
            for (int r = 0; r < rows; r++) {
                gradHidden.put(counted[start + r] * width, out, r * width, width);
            }
            if (gradHead != null) {
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans,
                        openblas_nolapack.CblasNoTrans, vocab, width, rows, 1f, gradLogits, vocab, in, width, 1f,
                        gradHead, width);
            }
        }
    }
}
