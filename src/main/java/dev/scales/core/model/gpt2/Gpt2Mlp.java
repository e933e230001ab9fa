package dev.scales.core.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.nn.Conv1D;
import dev.scales.core.model.nn.FusedActivations;
import dev.scales.core.model.nn.HfBlock;

/** GPT-2's {@code mlp}: c_fc, gelu_new (the tanh approximation), c_proj. */
public final class Gpt2Mlp extends HfBlock {
    private final Conv1D cFc;
    private final Conv1D cProj;
    private final boolean exactGelu;

    public Gpt2Mlp(long width, long inner, boolean exactGelu) {
        this.exactGelu = exactGelu;
        cFc = child("c_fc", new Conv1D(width, inner));
        cProj = child("c_proj", new Conv1D(inner, width));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray h = cFc.forward(x); // (B, T, inner)
        return cProj.forward(exactGelu ? ai.djl.nn.Activation.gelu(h) : FusedActivations.geluTanh(h));
    }
}
