package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import dev.scales.core.model.safetensors.SafetensorsWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad model folders are errors that name the file and the problem; none crashes the JVM. */
class ModelLoaderErrorsTest {
    @TempDir
    Path dir;

    /** A copy of a golden model folder to spoil. */
    private Path copy(String name) throws Exception {
        Path src = Golden.folder(name);
        Path dst = dir.resolve(name);
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        return dst;
    }

    private static void editConfig(Path folder, Consumer<JsonObject> edit) throws Exception {
        JsonObject o = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
        edit.accept(o);
        Files.writeString(folder.resolve("config.json"), o.toString());
    }

    private static void assertLoadFails(Path folder, String... fragments) {
        var thrown = assertThatThrownBy(() -> ModelLoader.load(folder, Device.cpu())).isInstanceOf(ScalesException.class);
        for (String f : fragments) {
            thrown.hasMessageContaining(f);
        }
    }

    @Test
    void aTruncatedCheckpointIsNamed() throws Exception {
        Path f = copy("gpt2-tiny");
        Path st = f.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(all, all.length / 2));
        assertLoadFails(f, "model.safetensors", "out of range");
    }

    @Test
    void aHeaderLengthBeyondTheFileIsNamed() throws Exception {
        Path f = copy("gpt2-tiny");
        Path st = f.resolve("model.safetensors");
        try (var ch = java.nio.channels.FileChannel.open(st, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 0, 0, 0, 0}), 0);
        }
        assertLoadFails(f, "model.safetensors", "header length");
    }

    @Test
    void aMissingTokenizerIsNamed() throws Exception {
        Path f = copy("llama-tiny-gqa");
        Files.delete(f.resolve("tokenizer.json"));
        assertLoadFails(f, "tokenizer.json", "missing");
    }

    @Test
    void aCorruptTokenizerIsNamed() throws Exception {
        Path f = copy("llama-tiny-gqa");
        Files.writeString(f.resolve("tokenizer.json"), "{\"model\": 42}");
        assertLoadFails(f, "tokenizer.json", "not a valid tokenizer.json");
    }

    @Test
    void anUnknownModelTypeIsNamed() throws Exception {
        Path f = copy("gpt2-tiny");
        editConfig(f, o -> o.addProperty("model_type", "bert"));
        assertLoadFails(f, "config.json", "model_type 'bert' is not supported");
    }

    @Test
    void configValuesOutOfRangeAreNamed() throws Exception {
        Path f = copy("llama-tiny-gqa");
        editConfig(f, o -> o.addProperty("num_key_value_heads", 3));
        assertLoadFails(f, "config.json", "num_key_value_heads");

        editConfig(f, o -> {
            o.addProperty("num_key_value_heads", 2);
            o.addProperty("hidden_size", -64);
        });
        assertLoadFails(f, "config.json", "\"hidden_size\" must be a positive whole number");
    }

    @Test
    void aRotaryTableTooLargeToBuildIsRefusedBeforeAllocation() throws Exception {
        Path f = copy("llama-tiny-gqa");
        editConfig(f, o -> o.addProperty("max_position_embeddings", 10_000_000));
        assertLoadFails(f, "config.json", "\"max_position_embeddings\" 10000000", "would need rotary tables of "
                + "10000000 × 16 floats", "at most 8388608 positions");
        assertThatThrownBy(() -> ModelLoader.inspect(f)).hasMessageContaining("max_position_embeddings");
    }

    @Test
    void anUnsupportedRopeScalingIsNamed() throws Exception {
        Path f = copy("llama-tiny-gqa");
        editConfig(f, o -> {
            JsonObject yarn = new JsonObject();
            yarn.addProperty("rope_type", "yarn");
            yarn.addProperty("factor", 4.0);
            o.add("rope_scaling", yarn);
        });
        assertLoadFails(f, "rope_scaling type 'yarn' is not supported");
    }

    @Test
    void invalidConfigJsonIsNamed() throws Exception {
        Path f = copy("gpt2-tiny");
        Files.writeString(f.resolve("config.json"), "{\"model_type\": ");
        assertLoadFails(f, "config.json", "not valid JSON");
    }

    @Test
    void pickleCheckpointsAreRefusedWithTheReason() throws Exception {
        Path f = copy("gpt2-tiny");
        Files.delete(f.resolve("model.safetensors"));
        Files.write(f.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        assertLoadFails(f, "pytorch_model.bin", "arbitrary code", "safetensors");
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes() throws Exception {
        Path f = copy("gpt2-tiny");
        editConfig(f, o -> o.addProperty("n_positions", 64));
        assertLoadFails(f, "'transformer.wpe.weight'", "[128, 32]", "[64, 32]");
    }

    @Test
    void missingAndExtraTensorsAreNamed() throws Exception {
        Path f = copy("llama-tiny-gqa");
        rewrite(f, tensors -> tensors.remove("model.layers.1.mlp.up_proj.weight"));
        assertLoadFails(f, "lacks 1 tensor", "model.layers.1.mlp.up_proj.weight");

        Path g = copy("qwen2-tiny");
        rewrite(g, tensors -> tensors.put("model.layers.0.self_attn.o_proj.bias",
                new SafetensorsWriter.Tensor(FloatBuffer.allocate(64), new long[] {64},
                        dev.scales.core.model.safetensors.DType.F32)));
        assertLoadFails(g, "unexpected tensor", "model.layers.0.self_attn.o_proj.bias");
    }

    @Test
    void aNonFiniteWeightIsRefusedNamingTheTensor() throws Exception {
        Path f = copy("llama-tiny-gqa");
        rewrite(f, tensors -> {
            FloatBuffer values = FloatBuffer.allocate(64);
            values.put(5, Float.NaN);
            tensors.put("model.norm.weight", new SafetensorsWriter.Tensor(values, new long[] {64},
                    dev.scales.core.model.safetensors.DType.F32));
        });
        assertLoadFails(f, "model.safetensors", "'model.norm.weight'", "NaN", "element 5");

        Path g = copy("llama-tiny-bf16"); // widened from BF16: an infinity survives the conversion
        rewrite(g, tensors -> {
            FloatBuffer values = FloatBuffer.allocate(64);
            values.put(0, Float.NEGATIVE_INFINITY);
            tensors.put("model.norm.weight", new SafetensorsWriter.Tensor(values, new long[] {64},
                    dev.scales.core.model.safetensors.DType.BF16));
        });
        assertLoadFails(g, "'model.norm.weight'", "an infinity");
    }

    @Test
    void anUntiedGpt2HeadIsUsedNotTheEmbedding() throws Exception {
        Path f = copy("gpt2-tiny");
        editConfig(f, o -> o.addProperty("tie_word_embeddings", false));
        Path file = f.resolve("model.safetensors");
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        try (var reader = dev.scales.core.model.safetensors.SafetensorsReader.openFile(file);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            reader.entries().forEach((n, e) -> tensors.put(n, new SafetensorsWriter.Tensor(
                    FloatBuffer.wrap(reader.readFloat(n, m).toFloatArray()), e.shape(), e.dtype())));
            // the head: twice the embedding, so its logits are twice the tied model's
            var wte = reader.entries().get("transformer.wte.weight");
            tensors.put("lm_head.weight", new SafetensorsWriter.Tensor(FloatBuffer.wrap(
                    reader.readFloat("transformer.wte.weight", m).mul(2).toFloatArray()), wte.shape(), wte.dtype()));
        }
        SafetensorsWriter.write(file, tensors, Map.of());

        float[] tied;
        try (LoadedModel m = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            tied = dev.scales.core.model.Golden.logits(m, true);
        }
        try (LoadedModel m = ModelLoader.load(f, Device.cpu())) {
            assertThat(m.lm().namedParameters()).containsKey("lm_head.weight");
            for (boolean compiled : new boolean[] {true, false}) {
                float[] untied = dev.scales.core.model.Golden.logits(m, compiled);
                for (int i = 0; i < tied.length; i++) {
                    assertThat(untied[i]).as("logit %d", i).isCloseTo(2 * tied[i],
                            org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void aTokenizerWithIdsBeyondTheVocabularyIsRefused() throws Exception {
        Path f = copy("gpt2-tiny");
        String tokenizer = Files.readString(f.resolve("tokenizer.json"));
        Files.writeString(f.resolve("tokenizer.json"), tokenizer.replaceFirst("\"added_tokens\":\\s*\\[",
                "\"added_tokens\": [{\"id\": 300, \"content\": \"<|extra|>\", \"single_word\": false, "
                        + "\"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true},"));
        assertLoadFails(f, "tokenizer.json", "up to 300", "vocab_size is 260");
    }

    @Test
    void everyConfigFieldIsTypeCheckedNamingTheKey() throws Exception {
        Path f = copy("llama-tiny-gqa");
        editConfig(f, o -> o.add("bos_token_id", new com.google.gson.JsonArray()));
        try (LoadedModel m = ModelLoader.load(f, Device.cpu())) {
            assertThat(m.config().bosTokenId()).isEqualTo(-1); // an empty list is no BOS
        }
        editConfig(f, o -> o.addProperty("bos_token_id", "<s>"));
        assertLoadFails(f, "config.json", "\"bos_token_id\" must be a token id");
        editConfig(f, o -> {
            o.addProperty("bos_token_id", 1);
            o.addProperty("tie_word_embeddings", "no");
        });
        assertLoadFails(f, "config.json", "\"tie_word_embeddings\" must be true or false");
        editConfig(f, o -> {
            o.addProperty("tie_word_embeddings", false);
            o.addProperty("torch_dtype", 16);
        });
        assertLoadFails(f, "config.json", "\"torch_dtype\" must be a string");
    }

    /** Rewrites a folder's model.safetensors after editing its tensor map (values are zeros). */
    private static void rewrite(Path folder, Consumer<Map<String, SafetensorsWriter.Tensor>> edit) throws Exception {
        Path file = folder.resolve("model.safetensors");
        var header = dev.scales.core.model.safetensors.SafetensorsHeader.read(file);
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        header.tensors().forEach((n, e) -> tensors.put(n, new SafetensorsWriter.Tensor(
                FloatBuffer.allocate((int) e.elementCount()), e.shape(), e.dtype())));
        edit.accept(tensors);
        SafetensorsWriter.write(file, tensors, Map.of());
    }
}
