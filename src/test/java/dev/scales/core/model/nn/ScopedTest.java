package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.scales.core.model.GradMode;
import org.junit.jupiter.api.Test;

class ScopedTest {
    @Test
    void onlyTheResultOutlivesTheScopeAndGradientsStillFlowThroughTheClosedIntermediates() {
        GradMode.training();
        try (NDManager step = NDManager.newBaseManager("PyTorch")) {
            NDArray w = step.create(new float[] {1f, 2f, 3f});
            w.setRequiresGradient(true);
            NDArray x = w.mul(2); // a layer's input, made from a trained weight
            int before = step.getManagedArrays().size();

            // y = ((x + 1) * x) - 3: two intermediates, closed with the scope
            NDArray y = Scoped.apply(x, in -> in.add(1).mul(in).sub(3));

            assertThat(step.getManagedArrays()).hasSize(before + 1).contains(x, y);
            assertThat(y.toFloatArray()).containsExactly(3f, 17f, 39f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray z = Scoped.apply(w.mul(2), in -> in.add(1).mul(in).sub(3)).sum();
                gc.backward(z);
            }
            // dz/dw = (2x + 1) · 2 with x = 2w
            assertThat(w.getGradient().toFloatArray()).containsExactly(10f, 18f, 26f);
        } finally {
            GradMode.inference();
        }
    }
}
