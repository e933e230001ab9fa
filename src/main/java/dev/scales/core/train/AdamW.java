package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.ScalesException;
import dev.scales.core.model.safetensors.DType;
import dev.scales.core.model.safetensors.SafetensorsHeader;
import dev.scales.core.model.safetensors.SafetensorsReader;
import dev.scales.core.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * AdamW (decoupled weight decay) with global-norm gradient clipping, on libtorch's fused kernel
 * ({@link AdamWKernel}: one pass over each parameter, as {@code torch.optim.AdamW(fused=True)}).
 * Its moment estimates and step counts live in a manager of its own, freed by {@link #close()} —
 * DJL's own Adam never frees them. Gradients are zeroed after each step (libtorch
 * accumulates).
 */
public final class AdamW implements AutoCloseable {
    private final NDManager state;
    private final AdamWKernel kernel;
    private final List<NDArray> params;
    private final List<NDArray> expAvgs = new ArrayList<>();
    private final List<NDArray> expAvgSqs = new ArrayList<>();
    private final List<NDArray> steps = new ArrayList<>();
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;

    /**
     * @param decayed  which parameters get weight decay (by index); biases and norms usually do not
     */
    public AdamW(NDManager parent, List<NDArray> params, Predicate<Integer> decayed, float beta1, float beta2,
                 float eps, float weightDecay) {
        this.state = parent.newSubManager();
        this.params = List.copyOf(params);
        boolean[] decays = new boolean[params.size()];
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            expAvgs.add(state.zeros(p.getShape()));
            expAvgSqs.add(state.zeros(p.getShape()));
            steps.add(state.zeros(new Shape()));
            decays[i] = decayed.test(i);
        }
        try {
            this.kernel = new AdamWKernel(state, this.params, expAvgs, expAvgSqs, steps, decays);
        } catch (RuntimeException e) {
            state.close(); // the moments already made
            throw e;
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
     * A non-finite norm skips the update and is an error naming the step.
     */
    public double step(float lr, float maxGradNorm, boolean measureNorm) {
        boolean measure = maxGradNorm > 0 || measureNorm;
        try (NDManager scope = state.newSubManager()) {
            NDArray norm = update(lr, maxGradNorm, measure, scope);
            if (!measure) {
                return Double.NaN;
            }
            double value = norm.getFloat();
            if (!Double.isFinite(value)) {
                throw new ScalesException("the gradient norm is " + value + " at step " + (stepsTaken() + 1)
                        + "; the update was skipped");
            }
            return value;
        }
    }

    /**
     * One update that never reads from the device: the gradient norm, the clipping and the guard
     * against a non-finite gradient are computed there — a step whose gradient norm is not finite
     * changes no weight and no moment, and does not count.
     *
     * @param keep the manager the returned norm (before clipping, a scalar on the device) is attached to
     */
    public NDArray stepOnDevice(float lr, float maxGradNorm, NDManager keep) {
        return update(lr, maxGradNorm, true, keep);
    }

    private NDArray update(float lr, float maxGradNorm, boolean measure, NDManager scope) {
        try (NDManager grads = state.newSubManager()) {
            List<NDArray> g = new ArrayList<>(params.size());
            for (NDArray p : params) {
                NDArray gradient = p.getGradient();
                gradient.attach(grads); // a wrapper of the parameter's gradient, closed with this scope
                g.add(gradient);
            }
            return kernel.step(g, lr, beta1, beta2, weightDecay, eps, maxGradNorm, measure, scope);
        }
    }

    /** The updates applied so far (skipped ones not counted): one device read. */
    public int stepsTaken() {
        return steps.isEmpty() ? 0 : Math.round(steps.get(0).getFloat());
    }

    public void zeroGradients() {
        params.forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
    }

    /** Writes the moment estimates and the step count (for resuming). */
    public void save(Path file) throws IOException {
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            t.put("exp_avg." + i, tensor(expAvgs.get(i)));
            t.put("exp_avg_sq." + i, tensor(expAvgSqs.get(i)));
        }
        SafetensorsWriter.write(file, t, Map.of("step", Integer.toString(stepsTaken())));
    }

    private static SafetensorsWriter.Tensor tensor(NDArray a) {
        return new SafetensorsWriter.Tensor(FloatBuffer.wrap(a.toFloatArray()), a.getShape().getShape(), DType.F32);
    }

    /** Restores what {@link #save} wrote; the parameters must be the same, in the same order. */
    public void load(Path file) {
        var header = SafetensorsHeader.read(file);
        if (header.tensors().size() != 2 * params.size()) {
            throw new ScalesException(file + ": optimizer state for " + header.tensors().size() / 2
                    + " parameters, this run trains " + params.size());
        }
        try (var reader = SafetensorsReader.openFile(file); NDManager scratch = state.newSubManager()) {
            for (int i = 0; i < params.size(); i++) {
                restore(file, reader, "exp_avg." + i, expAvgs.get(i), scratch);
                restore(file, reader, "exp_avg_sq." + i, expAvgSqs.get(i), scratch);
            }
        }
        float step = Integer.parseInt(header.metadata().getOrDefault("step", "0"));
        steps.forEach(s -> s.set(new float[] {step}));
    }

    private static void restore(Path file, SafetensorsReader reader, String name, NDArray into, NDManager scratch) {
        float[] values = reader.readFloat(name, scratch).toFloatArray();
        if (values.length != into.size()) {
            throw new ScalesException(file + ": optimizer state " + name + " has " + values.length
                    + " values, the parameter has " + into.size());
        }
        into.set(values);
    }

    @Override
    public void close() {
        state.close();
    }
}
