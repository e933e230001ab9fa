package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.model.GradMode;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.safetensors.SafetensorsHeader;
import dev.scales.core.model.safetensors.TensorEntry;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A saved model is the checkpoint it came from: same names, dtypes, layouts, bytes and logits. */
class ModelSaverTest {
    @TempDir
    Path out;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "gpt2-tiny-noprefix", "llama-tiny-bf16", "llama-tiny-f16", "qwen2-tiny"})
    void savedFolderReloadsToIdenticalLogitsWithTheOriginalTensorsOnDisk(String name) throws Exception {
        Path original = Golden.folder(name);
        float[] before;
        try (LoadedModel model = ModelLoader.load(original, Device.cpu())) {
            before = logits(model);
            ModelSaver.save(model, out);
        }

        try (LoadedModel again = ModelLoader.load(out, Device.cpu())) {
            assertThat(logits(again)).containsExactly(before);
        }
        Map<String, TensorEntry> saved = SafetensorsHeader.read(out.resolve("model.safetensors")).tensors();
        Map<String, TensorEntry> source = SafetensorsHeader.read(original.resolve("model.safetensors")).tensors();
        assertThat(saved.keySet()).containsExactlyInAnyOrderElementsOf(source.keySet());
        for (String tensor : source.keySet()) {
            assertThat(saved.get(tensor).dtype()).isEqualTo(source.get(tensor).dtype());
            assertThat(saved.get(tensor).shape()).containsExactly(source.get(tensor).shape());
            assertThat(bytes(out, saved.get(tensor))).as(tensor).isEqualTo(bytes(original, source.get(tensor)));
        }
        assertThat(out.resolve("tokenizer.json")).hasSameBinaryContentAs(original.resolve("tokenizer.json"));
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"model_type\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-sharded"})
    void aShardedCheckpointIsSavedAsOneFile(String name) throws Exception {
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            float[] before = logits(model);
            ModelSaver.save(model, out);
            try (LoadedModel again = ModelLoader.load(out, Device.cpu())) {
                assertThat(logits(again)).containsExactly(before);
            }
        }
        assertThat(out.resolve("model.safetensors.index.json")).doesNotExist();
    }

    @org.junit.jupiter.api.Test
    void aSaveReplacesAModelFolderWholeKeepsTheUsersNotesAndRefusesAFolderOfOtherFiles() throws Exception {
        try (LoadedModel sharded = ModelLoader.load(Golden.folder("llama-tiny-sharded"), Device.cpu());
             LoadedModel model = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu())) {
            // a sharded model with a note beside it, replaced by another model's save
            try (var files = Files.list(Golden.folder("llama-tiny-sharded"))) {
                Files.createDirectories(out);
                for (Path f : files.toList()) {
                    Files.copy(f, out.resolve(f.getFileName()));
                }
            }
            Files.writeString(out.resolve("NOTES.md"), "tried lr 1e-3");

            ModelSaver.save(model, out);

            try (LoadedModel again = ModelLoader.load(out, Device.cpu())) {
                assertThat(logits(again)).containsExactly(logits(model));
            }
            assertThat(out.resolve("NOTES.md")).hasContent("tried lr 1e-3");
            assertThat(out.resolve("model.safetensors.index.json")).as("the old shards' index").doesNotExist();
            try (var left = Files.list(out.getParent())) {
                assertThat(left.map(p -> p.getFileName().toString())).as("nothing left beside it")
                        .doesNotContain("." + out.getFileName() + ".saving", "." + out.getFileName() + ".replaced");
            }

            // a save cut short between its two renames: the old folder set aside is taken back first
            Files.move(out, out.resolveSibling("." + out.getFileName() + ".replaced"));
            ModelSaver.save(sharded, out);
            assertThat(out.resolve("NOTES.md")).hasContent("tried lr 1e-3");

            Path documents = Files.createDirectories(out.resolve("documents-folder"));
            Files.writeString(documents.resolve("letter.txt"), "dear…");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelSaver.save(model, documents))
                    .isInstanceOf(dev.scales.core.ScalesException.class).hasMessageContaining("holds other files");
            assertThat(documents.resolve("letter.txt")).hasContent("dear…");
        }
    }

    private static float[] logits(LoadedModel model) {
        GradMode.inference();
        try (NDManager m = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.single(m, new long[] {5, 17, 99, 258, 3}, 0);
            NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, false);
            return logits.toFloatArray();
        }
    }

    private static byte[] bytes(Path folder, TensorEntry e) throws Exception {
        Path file = folder.resolve("model.safetensors");
        SafetensorsHeader h = SafetensorsHeader.read(file);
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer buf = ByteBuffer.allocate((int) e.byteCount());
            ch.read(buf, h.dataStart() + e.begin());
            return buf.array();
        }
    }
}
