package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.scales.core.model.GradMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LoraAdapterTest {
    @Test
    void dropoutDropsInputsOnlyInPassesThatRecordGradients() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            LoraAdapter adapter = new LoraAdapter(m, 16, 8, 4, 2f, 0.5f, new Random(1));
            adapter.loraB().set(new float[8 * 4]);
            adapter.loraB().addi(1f); // B ≠ 0: the adapter changes its output
            NDArray x = m.ones(new Shape(3, 16));
            adapter.setTraining(false);
            float[] all = adapter.forward(x).toFloatArray();

            adapter.setTraining(true);
            GradMode.inference(); // a validation pass between training steps
            assertThat(adapter.dropsOut()).isFalse();
            assertThat(adapter.forward(x).toFloatArray()).containsExactly(all);

            GradMode.training(); // a training step
            assertThat(adapter.dropsOut()).isTrue();
            assertThat(adapter.forward(x).toFloatArray()).isNotEqualTo(all);
        } finally {
            GradMode.inference();
        }
    }
}
