package dev.scales.core.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ModelManagerTest {
    @Test
    void loadsRunsJobsOnItsWorkerAndUnloads() {
        List<Optional<LoadedModel>> changes = new ArrayList<>();
        try (ModelManager manager = new ModelManager()) {
            manager.addListener(changes::add);

            LoadedModel m = manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            String thread = manager.submit(model -> Thread.currentThread().getName()).join();
            manager.unload().join();

            assertThat(m.config().modelType()).isEqualTo("gpt2");
            assertThat(thread).isEqualTo("scales-model-worker");
            assertThat(manager.current()).isEmpty();
            assertThat(changes).hasSize(2);
            assertThat(changes.get(1)).isEmpty();
        }
    }

    @Test
    void aFailedLoadKeepsTheModelAlreadyLoaded() {
        try (ModelManager manager = new ModelManager()) {
            LoadedModel first = manager.load(Golden.folder("gpt2-tiny"), "cpu").join();

            assertThatThrownBy(() -> manager.load(Path.of("/no/such/model"), "cpu").join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ScalesException.class)
                    .hasMessageContaining("/no/such/model");
            assertThat(manager.current()).containsSame(first);
            assertThat(manager.submit(m -> m.config().vocabSize()).join()).isEqualTo(260);
        }
    }

    @Test
    void jobsWithoutAModelFailClearly() {
        try (ModelManager manager = new ModelManager()) {
            assertThatThrownBy(() -> manager.submit(m -> 1).join()).hasMessageContaining("no model is loaded");
        }
    }
}
