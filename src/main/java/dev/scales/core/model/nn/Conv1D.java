package dev.scales.core.model.nn;

/**
 * GPT-2's {@code Conv1D}: a linear layer whose checkpoint weight is [in, out] (y = x W + b).
 * The weight is held here as [out, in] — transposed once at load and back at save — so the
 * forward is the same fused {@code linear} call as {@link Linear}.
 */
public final class Conv1D extends Projection {
    public Conv1D(long in, long out) {
        super(in, out, true, true);
    }
}
