package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.model.Golden;
import dev.scales.core.model.ModelLocations;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.model.ModelBarViewModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testfx.util.WaitForAsyncUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelBarViewModelTest {
    private final ModelManager manager = new ModelManager();
    private final ModelBarViewModel vm = new ModelBarViewModel(new ModelLocations(List.of()), manager, UiThread.DIRECT);

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void anEngineThatFailsToStartSaysSoAndOpensTheDetails() {
        List<Throwable> details = new java.util.ArrayList<>();
        dev.scales.ui.common.Errors.onUnexpected(details::add);
        try {
            IllegalStateException failure = new IllegalStateException("libtorch is missing");
            vm.startEngine(Runnable::run, () -> {
                throw failure;
            });

            assertThat(vm.engineStatusProperty().get()).isEqualTo(
                    "engine failed to start: IllegalStateException: libtorch is missing");
            assertThat(details).containsExactly(failure);
        } finally {
            dev.scales.ui.common.Errors.onUnexpected(t -> { });
        }
    }

    @Test
    void aLoadShowsTheShareOfItsWeightsReadUntilItEnds() throws Exception {
        List<Double> shares = new java.util.concurrent.CopyOnWriteArrayList<>();
        vm.loadProgress().fractionProperty().addListener((o, was, now) -> shares.add(now.doubleValue()));
        vm.addModelFolder(Golden.folder("gpt2-tiny"));

        vm.load();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.loadedProperty().get()
                && !vm.loadProgress().runningProperty().get());

        assertThat(shares).startsWith(dev.scales.ui.common.JobProgress.INDETERMINATE, 0.0).endsWith(1.0);
        assertThat(vm.errorProperty().get()).isEmpty();
    }

    private static Path peft(String name) throws Exception {
        return Path.of(ModelBarViewModelTest.class.getResource("/peft/" + name).toURI());
    }

    @Test
    void anOpenedAdapterBecomesTheWeightsPromptsRunOnAndAWrongOneIsRefused() throws Exception {
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.loadedProperty().get());

        vm.openAdapter(peft("gpt2-tiny-adapter"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.busyProperty().get()
                && manager.variants().all().size() == 2);

        assertThat(manager.variants().active().name()).isEqualTo("gpt2-tiny-adapter");
        assertThat(vm.errorProperty().get()).isEmpty();

        vm.openAdapter(peft("llama-tiny-gqa-adapter"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.errorProperty().get().isEmpty());
        assertThat(vm.errorProperty().get()).contains("base_model_name_or_path");
        assertThat(manager.variants().all()).hasSize(2);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !vm.busyProperty().get());
    }
}
