package dev.scales.core.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.nn.Conv1D;
import dev.scales.core.model.nn.FusedActivations;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.Scalars;

/** GPT-2's {@code mlp}: c_fc, gelu_new (the tanh approximation), c_proj. */
public final class Gpt2Mlp extends HfBlock {
    private final Conv1D cFc;
    private final Conv1D cProj;
    private final boolean exactGelu;
    private final NDArray half;
    private final NDArray one;
    private final NDArray cubic;
    private final NDArray sqrtTwoOverPi;

    public Gpt2Mlp(long width, long inner, boolean exactGelu, Scalars scalars) {
        this.exactGelu = exactGelu;
        cFc = child("c_fc", new Conv1D(width, inner));
        cProj = child("c_proj", new Conv1D(inner, width));
        half = scalars.of(0.5f);
        one = scalars.of(1f);
        cubic = scalars.of(0.044715f);
        sqrtTwoOverPi = scalars.of((float) Math.sqrt(2 / Math.PI));
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray h = cFc.forward(x); // (B, T, inner)
        return cProj.forward(exactGelu ? ai.djl.nn.Activation.gelu(h) : geluNew(h));
    }

    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as GPT-2 was trained with. */
    private NDArray geluNew(NDArray x) {
        if (x.size() >= FusedActivations.WORTH_IT) {
            return FusedActivations.geluTanh(x);
        }
        NDArray inner = x.add(x.mul(x).mul(x).mul(cubic)).mul(sqrtTwoOverPi);
        return x.mul(half).mul(inner.tanh().add(one));
    }
}
