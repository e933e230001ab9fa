package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run's memory estimate counts logits only where the loss reads them. */
class TrainingMemoryTest {
    private static final int LENGTH = 40;

    @Test
    void aLabelledRunCountsTheLogitsOfItsLabelTokensOnly() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneSettings s = new FineTuneSettings(null, 1e-3f, 4, 10, 4, 0.1f, true, 0.01f, 1.0f, 7, 5, 0.2);
            TrainingMemory text = TrainingMemory.estimate(model, s, sequences(LENGTH - 1));
            TrainingMemory labelled = TrainingMemory.estimate(model, s, sequences(2));

            long logitsPerPosition = 3L * Float.BYTES * model.config().vocabSize();
            assertThat(text.activations() - labelled.activations())
                    .isEqualTo(4 * (LENGTH - 1 - 2) * logitsPerPosition); // 4 rows a step
            assertThat(labelled.tokens()).isEqualTo(text.tokens()).isEqualTo(4L * LENGTH);
        }
    }

    /** Six sequences of LENGTH tokens whose last {@code counted} predictions count. */
    private static List<FineTuneRun.Sequence> sequences(int counted) {
        float[] w = new float[LENGTH - 1];
        Arrays.fill(w, LENGTH - 1 - counted, LENGTH - 1, 1f);
        long[] ids = new long[LENGTH];
        Arrays.setAll(ids, i -> i % 200);
        return java.util.Collections.nCopies(6, new FineTuneRun.Sequence(ids, w, LENGTH - 1 - counted, null));
    }
}
