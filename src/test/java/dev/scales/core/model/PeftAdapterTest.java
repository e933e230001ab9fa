package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.generate.Inputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Adapters as HF PEFT writes them (src/test/python/make_peft_fixtures.py), against the merged weights. */
class PeftAdapterTest {
    @TempDir
    Path dir;

    static Path peft(String name) throws Exception {
        return Path.of(PeftAdapterTest.class.getResource("/peft/" + name).toURI());
    }

    /** The golden model {@code name} with the merged weights of make_peft_fixtures.py. */
    private Path merged(String name) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        try (var files = Files.list(Golden.folder(name))) {
            for (Path f : files.filter(f -> !f.getFileName().toString().endsWith(".safetensors")).toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        Files.copy(peft(name + "-merged").resolve("model.safetensors"), folder.resolve("model.safetensors"));
        return folder;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny-gqa"})
    void aPeftAdapterGivesTheLogitsOfItsMergedWeights(String name) throws Exception {
        float[] expected;
        try (LoadedModel m = ModelLoader.load(merged(name), Device.cpu())) {
            expected = Golden.logits(m, true);
        }
        try (LoadedModel base = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            float[] before = Golden.logits(base, true);
            try (LoraAdapters adapters = LoraAdapters.load(base, peft(name + "-adapter"))) {
                assertThat(adapters.adapters()).hasSize(6);
                float[] compiled = Golden.logits(base, true);
                float[] blocks = Golden.logits(base, false);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(compiled[i]).as("compiled logit %d", i).isCloseTo(expected[i], within(2e-4f));
                    assertThat(blocks[i]).as("logit %d", i).isCloseTo(expected[i], within(2e-4f));
                }
                assertThat(maxDifference(before, expected)).as("the adapter changes the model").isGreaterThan(1e-2f);
            }
            // closed, the adapter is off the model again
            assertThat(Golden.logits(base, true)).containsExactly(before);
        }
    }

    @Test
    void aPeftAdapterSavedAgainByScalesLoadsToTheSameLogits() throws Exception {
        try (LoadedModel base = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu())) {
            float[] first;
            try (LoraAdapters adapters = LoraAdapters.load(base, peft("llama-tiny-gqa-adapter"))) {
                first = Golden.logits(base, true);
                adapters.save(dir.resolve("again"), base);
            }
            String config = Files.readString(dir.resolve("again/adapter_config.json"));
            assertThat(config).contains("\"use_rslora\": true").contains("\"q_proj\"").contains("\"down_proj\"");
            try (LoraAdapters again = LoraAdapters.load(base, dir.resolve("again"))) {
                assertThat(Golden.logits(base, true)).containsExactly(first);
            }
        }
    }

    @Test
    void anAdapterForAnotherBaseIsRefusedWithTheReason() throws Exception {
        try (LoadedModel llama = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu());
             LoadedModel qwen = ModelLoader.load(Golden.folder("qwen2-tiny"), Device.cpu())) {
            // another model's name
            assertThatThrownBy(() -> LoraAdapters.load(qwen, peft("llama-tiny-gqa-adapter")))
                    .isInstanceOf(ScalesException.class).hasMessageContaining("someone/llama-tiny-gqa")
                    .hasMessageContaining("base_model_name_or_path");
            // the same model family with other sizes: shapes
            Path renamed = copyAdapter("llama-tiny-gqa-adapter", "resized", "\"someone/llama-tiny-gqa\"", "null");
            assertThatThrownBy(() -> LoraAdapters.load(qwen, renamed)).hasMessageContaining("has shape");
            // targets the model does not have
            Path gpt2Targets = copyAdapter("gpt2-tiny-adapter", "gpt2-on-llama", "\"openai-community/gpt2-tiny\"",
                    "null");
            assertThatThrownBy(() -> LoraAdapters.load(llama, gpt2Targets)).hasMessageContaining("no module named c_attn");
            // what Scales does not compute is named, not dropped
            Path dora = copyAdapter("llama-tiny-gqa-adapter", "dora", "\"use_dora\": false", "\"use_dora\": true");
            assertThatThrownBy(() -> LoraAdapters.load(llama, dora)).hasMessageContaining("DoRA");
            Path typed = copyAdapter("llama-tiny-gqa-adapter", "typed", "\"r\": 8", "\"r\": \"eight\"");
            assertThatThrownBy(() -> LoraAdapters.load(llama, typed)).hasMessageContaining("adapter_config.json")
                    .hasMessageContaining("\"r\"");
            // a failed load leaves the model as it was
            assertThat(llama.lm().block().namedBlocks().values()).noneMatch(b ->
                    b instanceof dev.scales.core.model.nn.Projection p && p.lora() != null);
        }
    }

    @Test
    void aFolderWithoutSafetensorsSaysWhatItHas() throws Exception {
        Path adapter = copyAdapter("gpt2-tiny-adapter", "bin", "x", "x");
        Files.delete(adapter.resolve("adapter_model.safetensors"));
        Files.writeString(adapter.resolve("adapter_model.bin"), "pickle");
        try (LoadedModel gpt2 = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            assertThatThrownBy(() -> LoraAdapters.load(gpt2, adapter)).hasMessageContaining("adapter_model.bin")
                    .hasMessageContaining("safe_serialization");
            assertThatThrownBy(() -> LoraAdapters.load(gpt2, dir)).hasMessageContaining("not a PEFT adapter folder");
        }
    }

    private Path copyAdapter(String from, String to, String find, String replace) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(to));
        Files.copy(peft(from).resolve("adapter_model.safetensors"), folder.resolve("adapter_model.safetensors"));
        Files.writeString(folder.resolve("adapter_config.json"),
                Files.readString(peft(from).resolve("adapter_config.json")).replace(find, replace));
        return folder;
    }

    private static org.assertj.core.data.Offset<Float> within(float f) {
        return org.assertj.core.data.Offset.offset(f);
    }

    private static float maxDifference(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
