package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.scales.core.AppPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleConsumer;
import org.junit.jupiter.api.Test;

/** A load tells the share of the weights read as it goes, and a cancelled one leaves nothing behind. */
class ModelLoaderProgressTest {
    @Test
    void theShareOfTheWeightsReadRisesFromZeroToOneTensorByTensor() {
        List<Double> shares = new ArrayList<>();
        try (LoadedModel m = ModelLoader.load(AppPaths.bundledModel(), Device.cpu(), shares::add, () -> false)) {
            assertThat(shares).hasSize(m.lm().namedParameters().size() + 1) // before the first tensor, after each
                    .startsWith(0.0).endsWith(1.0).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void aLoadCancelledBetweenTensorsFreesWhatItReadAndTheFolderLoadsAgain() {
        try (NDManager parent = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            AtomicBoolean cancelled = new AtomicBoolean();
            List<Integer> arrays = new ArrayList<>();
            DoubleConsumer halfway = share -> {
                arrays.add(parent.getManagedArrays().size()); // the load's manager is a child of parent
                cancelled.set(share >= 0.5);
            };

            assertThatThrownBy(() -> ModelLoader.load(AppPaths.bundledModel(), parent.newSubManager(), halfway,
                    cancelled::get)).isInstanceOf(CancellationException.class);

            assertThat(arrays.get(arrays.size() - 1)).as("arrays read before the cancel").isGreaterThan(arrays.get(0));
            assertThat(parent.getManagedArrays()).as("arrays left after it").isEmpty();
        }
        List<Double> shares = new ArrayList<>();
        try (LoadedModel again = ModelLoader.load(AppPaths.bundledModel(), Device.cpu(), shares::add, () -> false)) {
            assertThat(shares).endsWith(1.0);
            assertThat(again.lm().namedParameters()).isNotEmpty();
        }
    }
}
