package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.GradMode;
import org.junit.jupiter.api.Test;

/** libtorch's fused attention computes the operators' softmax(q kᵀ·scale + bias) v and their gradients. */
class AttentionTest {
    @Test
    void fusedKernelMatchesTheOperatorsForwardAndBackward() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            manager.getEngine().setRandomSeed(11);
            NDArray[] qkv = {manager.randomNormal(new Shape(2, 3, 7, 8)), manager.randomNormal(new Shape(2, 3, 9, 8)),
                manager.randomNormal(new Shape(2, 3, 9, 8))};
            NDArray bias = Inputs.causalBias(manager, 7, 2); // (1, 1, 7, 9): two cached positions
            NDArray scale = manager.full(new Shape(), (float) (1 / Math.sqrt(8)));
            float[][] fused = run(manager, qkv, bias, scale, true);
            float[][] chain = run(manager, qkv, bias, scale, false);
            for (int i = 0; i < fused.length; i++) {
                for (int j = 0; j < fused[i].length; j++) {
                    assertThat(fused[i][j]).as("output %d, element %d", i, j).isCloseTo(chain[i][j], within(1e-5f));
                }
            }
        } finally {
            GradMode.inference();
        }
    }

    /** The output, then the gradients of Σ y·c with respect to q, k and v. */
    private static float[][] run(NDManager manager, NDArray[] qkv, NDArray bias, NDArray scale, boolean fused) {
        GradMode.training();
        NDArray[] leaves = new NDArray[3];
        for (int i = 0; i < 3; i++) {
            leaves[i] = qkv[i].duplicate();
            leaves[i].setRequiresGradient(true);
        }
        try (NDManager step = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray y = fused ? Attention.fused(leaves[0], leaves[1], leaves[2], bias, scale)
                    : chain(leaves[0], leaves[1], leaves[2], bias, scale);
            NDArray c = step.arange(y.size()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .reshape(y.getShape()).div(step.full(new Shape(), 50f)).sin();
            float[] out = y.toFloatArray();
            collector.backward(y.mul(c).sum());
            return new float[][] {out, leaves[0].getGradient().toFloatArray(), leaves[1].getGradient().toFloatArray(),
                leaves[2].getGradient().toFloatArray()};
        }
    }

    private static NDArray chain(NDArray q, NDArray k, NDArray v, NDArray bias, NDArray scale) {
        return q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(bias).softmax(-1).matMul(v);
    }
}
