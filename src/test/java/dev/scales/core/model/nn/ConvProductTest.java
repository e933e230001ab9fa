package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.scales.core.model.GradMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The convolution computes x Wᵀ + b and the same gradients as libtorch's linear, where it is worth a call. */
class ConvProductTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void matchesLinearForwardAndBackward(boolean withBias) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            manager.getEngine().setRandomSeed(5);
            NDArray x = manager.randomNormal(new Shape(3, 17, 24));
            NDArray w = manager.randomNormal(new Shape(40, 24));
            NDArray b = withBias ? manager.randomNormal(new Shape(40)) : manager.zeros(new Shape(0));
            assertThat(ConvProduct.worthIt(x, 40)).as("a small product stays an operator").isFalse();
            assertThat(ConvProduct.worthIt(manager.zeros(new Shape(4, 128, 768)), 3072)).as("a layer of GPT-2").isTrue();
            assertThat(ConvProduct.worthIt(manager.zeros(new Shape(4, 128, 768)), 50257)).as("its head").isFalse();
            float[][] conv = run(manager, x, w, b, withBias, true);
            float[][] linear = run(manager, x, w, b, withBias, false);
            for (int i = 0; i < conv.length; i++) {
                assertThat(conv[i]).hasSameSizeAs(linear[i]);
                for (int j = 0; j < conv[i].length; j++) {
                    assertThat(conv[i][j]).isCloseTo(linear[i][j], within(1e-4f));
                }
            }
        } finally {
            GradMode.inference();
        }
    }

    /** The output, then the gradients of Σ y·c (c fixed) with respect to x, W and b. */
    private static float[][] run(NDManager manager, NDArray x, NDArray w, NDArray b, boolean withBias, boolean conv) {
        GradMode.training();
        NDArray[] leaves = {x.duplicate(), w.duplicate(), b.duplicate()};
        for (NDArray leaf : leaves) {
            leaf.setRequiresGradient(true);
        }
        try (NDManager step = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray y = conv ? ConvProduct.apply(leaves[0], leaves[1], leaves[2])
                    : withBias ? ai.djl.nn.core.Linear.linear(leaves[0], leaves[1], leaves[2]).singletonOrThrow()
                    : ai.djl.nn.core.Linear.linear(leaves[0], leaves[1]).singletonOrThrow();
            NDArray weights = step.arange(y.size()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .reshape(y.getShape()).div(step.full(new Shape(), 100f));
            float[] out = y.toFloatArray();
            collector.backward(y.mul(weights).sum());
            return new float[][] {out, leaves[0].getGradient().toFloatArray(), leaves[1].getGradient().toFloatArray(),
                withBias ? leaves[2].getGradient().toFloatArray() : new float[0]};
        }
    }
}
