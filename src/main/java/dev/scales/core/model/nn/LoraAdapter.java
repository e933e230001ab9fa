package dev.scales.core.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A LoRA adapter (Hu et al. 2021) on one projection: Δy = (dropout(x) Aᵀ) Bᵀ · α/r with A [r, in]
 * and B [out, r]. B starts at zero, so attaching an adapter changes nothing until it is trained;
 * A starts uniform in ±1/√in (PEFT's Kaiming init with a = √5). The arrays live in the adapter
 * set's manager, not the model's.
 */
public final class LoraAdapter {
    private final NDArray a;
    private final NDArray b;
    private final NDArray scale;
    private final float dropout;
    private final SplittableRandom masks;
    private boolean training;

    /** @param scale the update's factor: α/r (or α/√r for rsLoRA) */
    public LoraAdapter(NDManager manager, long in, long out, int rank, float scale, float dropout, Random random) {
        float bound = (float) (1 / Math.sqrt(in));
        float[] init = new float[Math.toIntExact(rank * in)];
        for (int i = 0; i < init.length; i++) {
            init[i] = (random.nextFloat() * 2 - 1) * bound;
        }
        this.a = manager.create(init, new Shape(rank, in));
        this.b = manager.zeros(new Shape(out, rank));
        this.scale = manager.full(new Shape(), scale);
        this.dropout = dropout;
        this.masks = new SplittableRandom(random.nextLong());
    }

    /** (…, in) → (…, out). */
    public NDArray forward(NDArray x) {
        NDArray h = x;
        if (dropsOut()) {
            boolean here = x.getDataType() == DataType.FLOAT32 && x.getDevice().getDeviceType().equals(Device.Type.CPU);
            h = here ? x.mul(dropoutMask(x)) : ai.djl.nn.norm.Dropout.dropout(x, dropout, true).singletonOrThrow();
        }
        // α/r scales the rank-wide activation, not the output: the same product, r values per
        // position instead of out (a pass over the whole output saved, forward and backward).
        NDArray down = ai.djl.nn.core.Linear.linear(h, a).singletonOrThrow().mul(scale); // (…, r)
        return ai.djl.nn.core.Linear.linear(down, b).singletonOrThrow(); // (…, out)
    }

    /**
     * Dropout's mask for {@code x}: each input kept with probability 1 − p and scaled by 1/(1 − p),
     * as torch's dropout, drawn here from the adapter's own generator (seeded by the adapters' seed,
     * so a run's masks repeat). libtorch draws its Bernoulli masks one value at a time on one
     * thread on CPUs other than Intel's (MKL's parallel generator is Intel-only), which took ~9% of
     * a GPT-2 LoRA step on an AMD machine; this loop is several times faster.
     */
    NDArray dropoutMask(NDArray x) {
        NDArray mask = x.getManager().create(x.getShape(), DataType.FLOAT32); // every value is written
        FloatBuffer values = BlasDecode.floats(mask);
        int n = Math.toIntExact(x.size());
        float keep = 1 / (1 - dropout);
        int dropBelow = (int) Math.round(dropout * (1 << 24)); // a value is dropped when its 24 random bits fall below
        for (int i = 0; i < n; i++) {
            values.put(i, (masks.nextInt() >>> 8) < dropBelow ? 0f : keep);
        }
        return mask;
    }

    /** The weight change this adapter stands for: B A · α/r, [out, in]. */
    public NDArray delta() {
        return b.matMul(a).mul(scale);
    }

    public NDArray loraA() {
        return a;
    }

    public NDArray loraB() {
        return b;
    }

    /** α/r, a scalar tensor. */
    public NDArray scale() {
        return scale;
    }

    public long inFeatures() {
        return a.getShape().get(1);
    }

    public long outFeatures() {
        return b.getShape().get(0);
    }

    /**
     * True when the forward pass drops inputs out: training with a dropout rate, in a pass that
     * records gradients (a validation pass between steps sees every input).
     */
    public boolean dropsOut() {
        return training && dropout > 0 && ai.djl.pytorch.jni.JniUtils.isGradMode();
    }

    public void setTraining(boolean on) {
        training = on;
    }
}
