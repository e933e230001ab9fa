package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.prompt.Example;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.prompt.PromptViewModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptViewModelTest {
    @TempDir
    Path dir;

    private final ModelManager manager = new ModelManager();
    private final PromptViewModel vm = new PromptViewModel(manager, UiThread.DIRECT);

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aSavedPromptSetOpensToTheSamePrompt() {
        Path file = dir.resolve("set.json");
        String before = vm.previewProperty().get();
        vm.savePromptSet(file);
        vm.instructionProperty().set("something else");
        vm.examples().clear();

        vm.openPromptSet(file);

        assertThat(vm.previewProperty().get()).isEqualTo(before);
        assertThat(vm.evaluationStatusProperty().get()).isEqualTo("opened set.json");
    }

    @Test
    void importedRowsArriveSwitchedOffAndBadFilesAreNamed() throws Exception {
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"input\": \"warm\", \"label\": \"positive\"}\n{\"input\": \"cold\", \"label\": "
                + "\"negative\"}\n{\"oops\": 1}\n");
        int before = vm.examples().size();
        String preview = vm.previewProperty().get();

        vm.importExamples(data);

        assertThat(vm.examples()).hasSize(before + 2);
        assertThat(vm.examples().get(before).toExample()).isEqualTo(new Example("warm", "positive", false));
        assertThat(vm.previewProperty().get()).isEqualTo(preview);
        assertThat(vm.evaluationStatusProperty().get()).contains("imported 2 examples").contains("train.jsonl:3");

        Files.writeString(dir.resolve("broken.json"), "{\"template\": 3");
        vm.openPromptSet(dir.resolve("broken.json"));
        assertThat(vm.evaluationStatusProperty().get()).contains("broken.json");
    }

    @Test
    void samplingSettingsOutOfRangeAreShownAndNothingRuns() {
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
        vm.setPrompt(new dev.scales.core.prompt.FewShotPrompt("", java.util.List.of(new Example("good", "pos")), "bad",
                new dev.scales.core.prompt.PromptTemplate("{input}={output}\n")));
        assertThat(vm.runBlockedReasonProperty().get()).isEmpty();

        vm.temperatureProperty().set(-1.0);
        vm.run();

        assertThat(vm.samplingErrorProperty().get()).contains("--temperature must be within [0, 100]");
        assertThat(vm.runningProperty().get()).isFalse();
        assertThat(vm.samplingItems()).extracting(i -> i.getName()).contains("Temperature", "Top-p", "Seed", "Stop at");
    }
}
