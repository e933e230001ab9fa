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

    @Test
    void dropoutKeepsInputsWithProbabilityOneMinusPScaledUpAndTheSameSeedDrawsTheSameMasks() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float p = 0.05f;
            float[] first = droppedInputs(m, p, 7);
            long kept = 0;
            long other = 0;
            for (float v : first) {
                kept += v == 1 / (1 - p) ? 1 : 0;
                other += v != 0 && v != 1 / (1 - p) ? 1 : 0;
            }
            assertThat(other).as("values neither dropped nor scaled by 1/(1 − p)").isZero();
            double share = (double) kept / first.length; // 400,000 draws: 1 − p within ±0.002 (6 standard deviations)
            assertThat(share).isBetween(1 - p - 0.002, 1 - p + 0.002);
            assertThat(droppedInputs(m, p, 7)).as("the same seed").containsExactly(first);
            assertThat(droppedInputs(m, p, 8)).as("another seed").isNotEqualTo(first);
        }
    }

    /** The mask an adapter of the given seed draws for its first 400,000 inputs. */
    private static float[] droppedInputs(NDManager m, float p, long seed) {
        LoraAdapter adapter = new LoraAdapter(m, 40_000, 1, 1, 1f, p, new Random(seed));
        try (NDArray x = m.ones(new Shape(10, 40_000))) {
            return adapter.dropoutMask(x).toFloatArray();
        }
    }
}
