package dev.scales.core.model.llama;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.FusedActivations;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.Linear;

/** {@code mlp}: SwiGLU, down(silu(gate(x)) · up(x)). */
public final class LlamaMlp extends HfBlock {
    private final Linear gateProj;
    private final Linear upProj;
    private final Linear downProj;

    public LlamaMlp(ModelConfig c) {
        gateProj = child("gate_proj", new Linear(c.hiddenSize(), c.intermediateSize(), c.mlpBias()));
        upProj = child("up_proj", new Linear(c.hiddenSize(), c.intermediateSize(), c.mlpBias()));
        downProj = child("down_proj", new Linear(c.intermediateSize(), c.hiddenSize(), c.mlpBias()));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray gate = gateProj.forward(x); // (B, T, I)
        NDArray up = upProj.forward(x);
        NDArray gated = gate.size() >= FusedActivations.WORTH_IT ? FusedActivations.siluMul(gate, up)
                : gate.mul(ai.djl.nn.Activation.sigmoid(gate)).mul(up); // silu(gate)·up
        return downProj.forward(gated);
    }
}
