package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocationsTest {
    @TempDir
    Path dir;

    private Path modelAt(Path folder) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("config.json"), "{}");
        return folder;
    }

    @Test
    void findsBundledUserAndHubCacheModels() throws Exception {
        Path home = dir.resolve("app");
        Path bundled = modelAt(home.resolve("assets/models/scales-tiny"));
        Files.createDirectories(home.resolve("assets/models/not-a-model"));
        Path user = modelAt(dir.resolve("config/models/my-gpt2"));
        Path snapshot = modelAt(dir.resolve("hf/hub/models--HuggingFaceTB--SmolLM2-135M/snapshots/abc123"));

        ModelLocations locations = ModelLocations.standard(Map.of("HF_HOME", dir.resolve("hf").toString()), home,
                dir.resolve("config"), dir.resolve("userhome"));

        assertThat(locations.findModelFolders()).containsExactly(bundled, user, snapshot);
        assertThat(ModelLocations.displayName(snapshot)).isEqualTo("HuggingFaceTB/SmolLM2-135M");
        assertThat(ModelLocations.displayName(bundled)).isEqualTo("scales-tiny");
    }

    @Test
    void extraFoldersComeFromScalesModelPath() throws Exception {
        Path extra = modelAt(dir.resolve("elsewhere/qwen"));

        ModelLocations locations = ModelLocations.standard(Map.of("SCALES_MODEL_PATH", dir.resolve("elsewhere").toString()),
                dir.resolve("app"), dir.resolve("config"), dir.resolve("userhome"));

        assertThat(locations.roots()).contains(dir.resolve("elsewhere"), dir.resolve("userhome/.cache/huggingface/hub"));
        assertThat(locations.findModelFolders()).containsExactly(extra);
    }
}
