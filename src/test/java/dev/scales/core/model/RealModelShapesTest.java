package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.model.safetensors.DType;
import dev.scales.core.model.safetensors.SafetensorsReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folders shaped exactly as gpt2, distilgpt2, SmolLM2-135M, Qwen2.5-0.5B and TinyLlama ship
 * (their config.json and every tensor name, shape and dtype) pass the loader's checks, and the
 * parameter counts come out as those models publish. The weight files are sparse: the headers
 * are real, the data reads as zeros and takes no disk.
 */
class RealModelShapesTest {
    @TempDir
    Path dir;

    @Test
    void gpt2AsShippedWithoutPrefixAndWithMaskBuffers() throws Exception {
        Path f = folder("gpt2", "{\"activation_function\":\"gelu_new\",\"architectures\":[\"GPT2LMHeadModel\"],"
                + "\"bos_token_id\":50256,\"eos_token_id\":50256,\"layer_norm_epsilon\":1e-05,\"model_type\":\"gpt2\","
                + "\"n_ctx\":1024,\"n_embd\":768,\"n_head\":12,\"n_inner\":null,\"n_layer\":12,\"n_positions\":1024,"
                + "\"vocab_size\":50257}");
        sparse(f.resolve("model.safetensors"), gpt2Tensors("", 12, true, false));

        ModelSummary s = ModelLoader.inspect(f);

        assertThat(s.parameterCount()).isEqualTo(124_439_808L);
        assertThat(s.config().parameterCount()).isEqualTo(124_439_808L);
    }

    @Test
    void distilgpt2WithPrefixAndATiedHeadCopy() throws Exception {
        Path f = folder("distilgpt2", "{\"activation_function\":\"gelu_new\",\"model_type\":\"gpt2\",\"n_ctx\":1024,"
                + "\"n_embd\":768,\"n_head\":12,\"n_layer\":6,\"n_positions\":1024,\"vocab_size\":50257,"
                + "\"bos_token_id\":50256,\"eos_token_id\":50256}");
        sparse(f.resolve("model.safetensors"), gpt2Tensors("transformer.", 6, true, true));

        assertThat(ModelLoader.inspect(f).parameterCount()).isEqualTo(81_912_576L);
    }

    @Test
    void smolLm2() throws Exception {
        Path f = folder("SmolLM2-135M", "{\"architectures\":[\"LlamaForCausalLM\"],\"attention_bias\":false,"
                + "\"bos_token_id\":0,\"eos_token_id\":0,\"hidden_act\":\"silu\",\"hidden_size\":576,"
                + "\"intermediate_size\":1536,\"max_position_embeddings\":8192,\"model_type\":\"llama\","
                + "\"num_attention_heads\":9,\"num_hidden_layers\":30,\"num_key_value_heads\":3,\"rms_norm_eps\":1e-05,"
                + "\"rope_scaling\":null,\"rope_theta\":100000,\"tie_word_embeddings\":true,"
                + "\"torch_dtype\":\"bfloat16\",\"vocab_size\":49152}");
        sparse(f.resolve("model.safetensors"), llamaTensors(30, 576, 9, 3, 64, 1536, 49152, false, true, DType.BF16));

        ModelSummary s = ModelLoader.inspect(f);

        assertThat(s.parameterCount()).isEqualTo(134_515_008L);
        assertThat(s.diskDtype()).isEqualTo(DType.BF16);
    }

    @Test
    void qwen25() throws Exception {
        Path f = folder("Qwen2.5-0.5B", "{\"architectures\":[\"Qwen2ForCausalLM\"],\"bos_token_id\":151643,"
                + "\"eos_token_id\":151643,\"hidden_act\":\"silu\",\"hidden_size\":896,\"intermediate_size\":4864,"
                + "\"max_position_embeddings\":32768,\"max_window_layers\":24,\"model_type\":\"qwen2\","
                + "\"num_attention_heads\":14,\"num_hidden_layers\":24,\"num_key_value_heads\":2,\"rms_norm_eps\":1e-06,"
                + "\"rope_theta\":1000000.0,\"sliding_window\":32768,\"tie_word_embeddings\":true,"
                + "\"torch_dtype\":\"bfloat16\",\"use_sliding_window\":false,\"vocab_size\":151936}");
        sparse(f.resolve("model.safetensors"), llamaTensors(24, 896, 14, 2, 64, 4864, 151936, true, true, DType.BF16));

        assertThat(ModelLoader.inspect(f).parameterCount()).isEqualTo(494_032_768L);
    }

    @Test
    void tinyLlamaInAFileOverTwoGigabytesReadsTensorsPastTheLimit() throws Exception {
        Path f = folder("TinyLlama-1.1B", "{\"architectures\":[\"LlamaForCausalLM\"],\"attention_bias\":false,"
                + "\"bos_token_id\":1,\"eos_token_id\":2,\"hidden_act\":\"silu\",\"hidden_size\":2048,"
                + "\"intermediate_size\":5632,\"max_position_embeddings\":2048,\"model_type\":\"llama\","
                + "\"num_attention_heads\":32,\"num_hidden_layers\":22,\"num_key_value_heads\":4,\"rms_norm_eps\":1e-05,"
                + "\"rope_scaling\":null,\"rope_theta\":10000.0,\"tie_word_embeddings\":false,"
                + "\"torch_dtype\":\"bfloat16\",\"vocab_size\":32000}");
        Path file = f.resolve("model.safetensors");
        sparse(file, llamaTensors(22, 2048, 32, 4, 64, 5632, 32000, false, false, DType.BF16));

        assertThat(ModelLoader.inspect(f).parameterCount()).isEqualTo(1_100_048_384L);
        assertThat(Files.size(file)).isGreaterThan(2L << 30);
        try (SafetensorsReader reader = SafetensorsReader.open(f);
             NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            // model.norm.weight is last in the file, past the 2 GiB mark.
            assertThat(reader.entry("model.norm.weight").begin()).isGreaterThan(Integer.MAX_VALUE);
            assertThat(reader.readFloat("model.norm.weight", m).toFloatArray()).hasSize(2048).containsOnly(0f);
        }
    }

    private Path folder(String name, String config) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f);
        JsonObject o = JsonParser.parseString(config).getAsJsonObject();
        Files.writeString(f.resolve("config.json"), o.toString());
        Files.copy(Golden.folder("gpt2-tiny").resolve("tokenizer.json"), f.resolve("tokenizer.json"));
        return f;
    }

    private static Map<String, Object[]> gpt2Tensors(String prefix, int layers, boolean buffers, boolean lmHead) {
        Map<String, Object[]> t = new LinkedHashMap<>();
        int c = 768;
        t.put(prefix + "wte.weight", spec(DType.F32, 50257, c));
        t.put(prefix + "wpe.weight", spec(DType.F32, 1024, c));
        for (int i = 0; i < layers; i++) {
            String h = prefix + "h." + i + ".";
            t.put(h + "ln_1.weight", spec(DType.F32, c));
            t.put(h + "ln_1.bias", spec(DType.F32, c));
            if (buffers) {
                t.put(h + "attn.bias", spec(DType.F32, 1, 1, 1024, 1024));
                t.put(h + "attn.masked_bias", spec(DType.F32));
            }
            t.put(h + "attn.c_attn.weight", spec(DType.F32, c, 3 * c));
            t.put(h + "attn.c_attn.bias", spec(DType.F32, 3 * c));
            t.put(h + "attn.c_proj.weight", spec(DType.F32, c, c));
            t.put(h + "attn.c_proj.bias", spec(DType.F32, c));
            t.put(h + "ln_2.weight", spec(DType.F32, c));
            t.put(h + "ln_2.bias", spec(DType.F32, c));
            t.put(h + "mlp.c_fc.weight", spec(DType.F32, c, 4 * c));
            t.put(h + "mlp.c_fc.bias", spec(DType.F32, 4 * c));
            t.put(h + "mlp.c_proj.weight", spec(DType.F32, 4 * c, c));
            t.put(h + "mlp.c_proj.bias", spec(DType.F32, c));
        }
        t.put(prefix + "ln_f.weight", spec(DType.F32, c));
        t.put(prefix + "ln_f.bias", spec(DType.F32, c));
        if (lmHead) {
            t.put("lm_head.weight", spec(DType.F32, 50257, c));
        }
        return t;
    }

    private static Map<String, Object[]> llamaTensors(int layers, int c, int heads, int kv, int hd, int inter, int vocab,
                                                      boolean qkvBias, boolean tied, DType dt) {
        Map<String, Object[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", spec(dt, vocab, c));
        for (int i = 0; i < layers; i++) {
            String l = "model.layers." + i + ".";
            t.put(l + "self_attn.q_proj.weight", spec(dt, heads * hd, c));
            t.put(l + "self_attn.k_proj.weight", spec(dt, kv * hd, c));
            t.put(l + "self_attn.v_proj.weight", spec(dt, kv * hd, c));
            if (qkvBias) {
                t.put(l + "self_attn.q_proj.bias", spec(dt, heads * hd));
                t.put(l + "self_attn.k_proj.bias", spec(dt, kv * hd));
                t.put(l + "self_attn.v_proj.bias", spec(dt, kv * hd));
            }
            t.put(l + "self_attn.o_proj.weight", spec(dt, c, heads * hd));
            t.put(l + "mlp.gate_proj.weight", spec(dt, inter, c));
            t.put(l + "mlp.up_proj.weight", spec(dt, inter, c));
            t.put(l + "mlp.down_proj.weight", spec(dt, c, inter));
            t.put(l + "input_layernorm.weight", spec(dt, c));
            t.put(l + "post_attention_layernorm.weight", spec(dt, c));
        }
        t.put("model.norm.weight", spec(dt, c));
        if (!tied) {
            t.put("lm_head.weight", spec(dt, vocab, c));
        }
        return t;
    }

    private static Object[] spec(DType dtype, long... shape) {
        return new Object[] {dtype, shape};
    }

    /** A safetensors file with a real header and sparse (all-zero, diskless) data, tensors in name order. */
    private static void sparse(Path file, Map<String, Object[]> tensors) throws Exception {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, Object[]> e : new TreeMap<>(tensors).entrySet()) {
            DType dt = (DType) e.getValue()[0];
            long[] shape = (long[]) e.getValue()[1];
            long n = dt.bytes();
            JsonArray s = new JsonArray();
            for (long d : shape) {
                n *= d;
                s.add(d);
            }
            JsonObject o = new JsonObject();
            o.addProperty("dtype", dt.name());
            o.add("shape", s);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + n);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
            offset += n;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            raf.write(json);
            raf.setLength(8 + json.length + offset);
        }
    }
}
