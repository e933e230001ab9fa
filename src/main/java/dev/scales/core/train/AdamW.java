package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.ScalesException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * AdamW (decoupled weight decay) with global-norm gradient clipping, on libtorch's fused update.
 * Its moment estimates live in a manager of its own, freed by {@link #close()} — DJL's own Adam
 * never frees them (FINDINGS.md). Gradients are cleared after each step (libtorch accumulates).
 */
public final class AdamW implements AutoCloseable {
    private final NDManager state;
    private final List<NDArray> params;
    private final List<NDArray[]> moments = new ArrayList<>();
    private final boolean[] decays;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private int step;

    /**
     * @param decayed  which parameters get weight decay (by index); biases and norms usually do not
     */
    public AdamW(NDManager parent, List<NDArray> params, Predicate<Integer> decayed, float beta1, float beta2,
                 float eps, float weightDecay) {
        this.state = parent.newSubManager();
        this.params = List.copyOf(params);
        this.decays = new boolean[params.size()];
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            moments.add(new NDArray[] {state.zeros(p.getShape()), state.zeros(p.getShape())});
            decays[i] = decayed.test(i);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /**
     * One update with learning rate {@code lr}, after scaling the gradients so their global norm is
     * at most {@code maxGradNorm} (0 for no clipping). Returns the norm before clipping, or NaN when
     * it was neither needed for clipping nor asked for (measuring it costs a pass and a device sync).
     */
    public double step(float lr, float maxGradNorm, boolean measureNorm) {
        double norm = maxGradNorm > 0 || measureNorm ? gradientNorm() : Double.NaN;
        if (Double.isInfinite(norm) || (Double.isNaN(norm) && (maxGradNorm > 0 || measureNorm))) {
            zeroGradients();
            throw new ScalesException("the gradient norm is " + norm + " at step " + (step + 1)
                    + "; the update was skipped");
        }
        step++;
        float rescale = maxGradNorm > 0 && norm > maxGradNorm ? (float) (maxGradNorm / (norm + 1e-6)) : 1f;
        float biasCorrection = (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            try (NDArray g = p.getGradient()) {
                update(p, g, moments.get(i), lr, biasCorrection, decays[i] ? weightDecay : 0f, rescale);
            }
            JniUtils.zeroGrad((PtNDArray) p);
        }
        return norm;
    }

    /**
     * The AdamW update of one parameter with in-place operations only, the gradient's own storage
     * serving as scratch (it is zeroed afterwards): no temporary the size of the parameter is
     * allocated. libtorch's fused {@code adamUpdate} allocates about seven, which for a large
     * embedding costs more in page faults than the arithmetic (docs/BENCHMARKS.md). Same formula:
     * p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr_bc·m / (√v + ε),
     * lr_bc = lr·√(1−β2ᵗ)/(1−β1ᵗ).
     */
    private void update(NDArray p, NDArray g, NDArray[] mv, float lr, float biasCorrection, float decay,
                        float rescale) {
        NDArray m = mv[0];
        NDArray v = mv[1];
        if (decay > 0) {
            p.muli(1 - lr * decay);
        }
        g.muli(rescale * (1 - beta1)); // (1−β1)·g
        m.muli(beta1).addi(g);
        g.muli(g).muli((1 - beta2) / ((1 - beta1) * (1 - beta1))); // (1−β2)·g²
        v.muli(beta2).addi(g);
        g.muli(0f).addi(v).powi(0.5f).addi(eps).powi(-1f).muli(m).muli(biasCorrection); // lr_bc·m/(√v+ε)
        p.subi(g);
    }

    /**
     * One update that never reads from the device: the gradient norm, the clipping and the guard
     * against a non-finite gradient are computed there. The gradients are scaled by
     * min(1, maxGradNorm / norm) (0: no clipping), or zeroed when the norm is not finite, so the
     * weights stay finite (the moments' decay still moves them a little on such a step).
     *
     * @param keep the manager the returned norm (before clipping, a scalar on the device) is attached to
     */
    public NDArray stepOnDevice(float lr, float maxGradNorm, NDManager keep) {
        step++;
        float biasCorrection = (float) (lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
        try (NDManager scope = state.newSubManager()) {
            NDArray norm = squaredNorms(scope).sqrt();
            NDArray finite = norm.isNaN().logicalOr(norm.isInfinite()).logicalNot();
            NDArray scale = maxGradNorm > 0
                    ? scope.full(new ai.djl.ndarray.types.Shape(), maxGradNorm).div(norm.add(1e-6f)).minimum(1f)
                    : scope.ones(new ai.djl.ndarray.types.Shape());
            scale = ai.djl.ndarray.NDArrays.where(finite, scale, scope.zeros(new ai.djl.ndarray.types.Shape()));
            for (int i = 0; i < params.size(); i++) {
                NDArray p = params.get(i);
                NDArray g = p.getGradient();
                g.attach(scope);
                // NaN × 0 is NaN: a non-finite gradient is replaced, not scaled.
                NDArray clipped = ai.djl.ndarray.NDArrays.where(finite.broadcast(g.getShape()), g.mul(scale),
                        g.zerosLike());
                NDArray[] mv = moments.get(i);
                JniUtils.adamUpdate((PtNDArray) p, (PtNDArray) clipped, (PtNDArray) mv[0], (PtNDArray) mv[1], lr,
                        biasCorrection, decays[i] ? weightDecay : 0f, 1f, -1f, beta1, beta2, eps, true);
                JniUtils.zeroGrad((PtNDArray) p);
            }
            norm.attach(keep);
            return norm;
        }
    }

    /** √(Σ‖g‖²) over every parameter's gradient: one device sync. */
    public double gradientNorm() {
        try (NDManager scope = state.newSubManager()) {
            return Math.sqrt(squaredNorms(scope).getFloat());
        }
    }

    /** Σ‖g‖² over every parameter's gradient, a scalar on the device in {@code scope}. */
    private NDArray squaredNorms(NDManager scope) {
        NDArray total = scope.zeros(new ai.djl.ndarray.types.Shape());
        for (NDArray p : params) {
            // The gradient wrapper joins the scope first, so every result below does too
            // (results attach to their first operand's manager, here the model's otherwise).
            NDArray g = p.getGradient();
            g.attach(scope);
            NDArray norm = g.norm(); // no temporary the size of the gradient, unlike g·g
            total = total.add(norm.mul(norm));
        }
        return total;
    }

    public void zeroGradients() {
        params.forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
    }

    /** Writes the moment estimates and the step count (for resuming). */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        java.util.Map<String, dev.scales.core.model.safetensors.SafetensorsWriter.Tensor> t = new java.util.LinkedHashMap<>();
        for (int i = 0; i < moments.size(); i++) {
            for (int k = 0; k < 2; k++) {
                NDArray a = moments.get(i)[k];
                t.put((k == 0 ? "exp_avg." : "exp_avg_sq.") + i, new dev.scales.core.model.safetensors.SafetensorsWriter
                        .Tensor(java.nio.FloatBuffer.wrap(a.toFloatArray()), a.getShape().getShape(),
                        dev.scales.core.model.safetensors.DType.F32));
            }
        }
        dev.scales.core.model.safetensors.SafetensorsWriter.write(file, t, java.util.Map.of("step", Integer.toString(step)));
    }

    /** Restores what {@link #save} wrote; the parameters must be the same, in the same order. */
    public void load(java.nio.file.Path file) {
        var header = dev.scales.core.model.safetensors.SafetensorsHeader.read(file);
        if (header.tensors().size() != 2 * moments.size()) {
            throw new ScalesException(file + ": optimizer state for " + header.tensors().size() / 2
                    + " parameters, this run trains " + moments.size());
        }
        try (var reader = dev.scales.core.model.safetensors.SafetensorsReader.openFile(file);
             NDManager scratch = state.newSubManager()) {
            for (int i = 0; i < moments.size(); i++) {
                for (int k = 0; k < 2; k++) {
                    NDArray into = moments.get(i)[k];
                    float[] values = reader.readFloat((k == 0 ? "exp_avg." : "exp_avg_sq.") + i, scratch).toFloatArray();
                    if (values.length != into.size()) {
                        throw new ScalesException(file + ": optimizer state " + i + " has " + values.length
                                + " values, the parameter has " + into.size());
                    }
                    into.set(values);
                }
            }
        }
        step = Integer.parseInt(header.metadata().getOrDefault("step", "0"));
    }

    @Override
    public void close() {
        state.close();
    }
}
