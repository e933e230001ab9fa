package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.scales.core.ScalesException;
import ai.djl.Device;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.Golden;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused kernels compute the activations' formulas and their derivatives, in the caller's manager. */
class FusedActivationsTest {
    private static final float[] X = {-3f, -1f, -0.1f, 0f, 0.5f, 2f, 4f};
    private static final float[] U = {1.5f, -2f, 0.3f, 1f, -0.7f, 0.25f, 2f};
    private static final double C = Math.sqrt(2 / Math.PI);

    @Test
    void geluTanhIsGpt2sGeluNewAndItsDerivative() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(X);
            x.setRequiresGradient(true);
            float[] y;
            try (NDManager step = manager.newSubManager();
                 GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                // A differentiable copy in the step's scope (results join their first operand's manager).
                NDArray out = FusedActivations.geluTanh(step.create(1f).mul(x));
                assertThat(out.getManager()).isSameAs(step);
                y = out.toFloatArray();
                collector.backward(out.sum());
            }
            GradMode.inference();
            float[] grad = x.getGradient().toFloatArray();
            for (int i = 0; i < X.length; i++) {
                double v = X[i];
                double t = Math.tanh(C * (v + 0.044715 * v * v * v));
                double dt = (1 - t * t) * C * (1 + 3 * 0.044715 * v * v);
                assertThat((double) y[i]).as("gelu(%s)", v).isCloseTo(0.5 * v * (1 + t), within(1e-6));
                assertThat((double) grad[i]).as("gelu'(%s)", v).isCloseTo(0.5 * (1 + t) + 0.5 * v * dt, within(1e-5));
            }
        }
    }

    @Test
    void siluMulIsTheGatedProductAndItsPartialDerivatives() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray g = manager.create(X);
            NDArray u = manager.create(U);
            g.setRequiresGradient(true);
            u.setRequiresGradient(true);
            float[] y;
            try (NDManager step = manager.newSubManager();
                 GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray out = FusedActivations.siluMul(step.create(1f).mul(g), u);
                assertThat(out.getManager()).isSameAs(step);
                y = out.toFloatArray();
                collector.backward(out.sum());
            }
            GradMode.inference();
            float[] dg = g.getGradient().toFloatArray();
            float[] du = u.getGradient().toFloatArray();
            for (int i = 0; i < X.length; i++) {
                double s = 1 / (1 + Math.exp(-X[i]));
                assertThat((double) y[i]).isCloseTo(X[i] * s * U[i], within(1e-6));
                assertThat((double) du[i]).isCloseTo(X[i] * s, within(1e-6));
                assertThat((double) dg[i]).isCloseTo(U[i] * (s + X[i] * s * (1 - s)), within(1e-5));
            }
        }
    }

    /**
     * The models switch to the fused kernels for activations of {@link FusedActivations#WORTH_IT}
     * values and more: a batch that large gives each row the logits it gets alone (the operator
     * path, which the golden tests check against PyTorch).
     */
    @ParameterizedTest
    @CsvSource({"gpt2-tiny, 16, 32", "llama-tiny-gqa, 32, 64"})
    void aLargeBatchOnTheFusedPathGivesEachRowItsLogitsAlone(String model, int rows, int length) {
        try (LoadedModel m = ModelLoader.load(Golden.folder(model), Device.cpu());
             NDManager scope = m.manager().newSubManager()) {
            GradMode.inference();
            java.util.Random random = new java.util.Random(7);
            long[][] ids = new long[rows][length];
            for (long[] row : ids) {
                for (int i = 0; i < length; i++) {
                    row[i] = random.nextInt(m.config().vocabSize());
                }
            }
            Inputs.Batch batch = Inputs.leftPadded(scope, ids, 0);
            float[] all = m.lm().forward(batch.ids(), batch.positions(), batch.bias(), null, false).toFloatArray();
            int perRow = all.length / rows;
            for (int r = 0; r < rows; r += 5) {
                Inputs.Batch one = Inputs.single(scope, ids[r], 0);
                float[] alone = m.lm().forward(one.ids(), one.positions(), one.bias(), null, false).toFloatArray();
                for (int i = 0; i < alone.length; i++) {
                    assertThat(all[r * perRow + i]).as("%s row %d logit %d", model, r, i).isCloseTo(alone[i], within(1e-4f));
                }
            }
        }
    }

    @Test
    void aScriptThatDoesNotCompileIsAnErrorNamingIt() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            String broken = """
                    class Broken(Module):
                      __parameters__ = []
                      __buffers__ = []
                      training : bool
                      def forward(self: __torch__.Broken, x: Tensor) -> Tensor:
                        return torch.no_such_operator(x)
                    """;
            assertThatThrownBy(() -> TorchScript.load(manager, "Broken", broken))
                    .isInstanceOf(ScalesException.class).hasMessageContaining("Broken");
        }
    }
}
