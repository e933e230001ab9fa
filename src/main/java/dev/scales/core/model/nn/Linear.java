package dev.scales.core.model.nn;

/** HF {@code nn.Linear}: y = x Wᵀ + b, weight [out, in] in the checkpoint as in memory. */
public final class Linear extends Projection {
    public Linear(long in, long out, boolean withBias) {
        super(in, out, withBias, false);
    }
}
