package dev.scales.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's {@code config.json}, read into the few numbers the engine needs and validated:
 * a value out of range is an error naming the file and the key. The original JSON is kept so
 * a saved model writes back every key it was loaded with.
 *
 * @param eosTokenIds  end-of-sequence ids (Llama 3 configs list several); empty when none
 * @param padTokenId   the padding id, or -1 when the config names none
 */
public record ModelConfig(Architecture architecture, String modelType, int vocabSize, int hiddenSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, int intermediateSize, int maxPositions,
                          double normEps, double ropeTheta, RopeScaling ropeScaling, boolean tieWordEmbeddings,
                          boolean qkvBias, boolean outputBias, boolean mlpBias, String activation,
                          int bosTokenId, List<Integer> eosTokenIds, int padTokenId, String torchDtype,
                          JsonObject raw) {
    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        raw = raw.deepCopy();
    }

    @Override
    public JsonObject raw() {
        return raw.deepCopy();
    }

    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ScalesException(file + ": missing (a model folder needs config.json)");
        }
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file));
            if (!root.isJsonObject()) {
                throw new ScalesException(file + ": not a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (IOException | JsonParseException e) {
            throw new ScalesException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        return parse(o, file.toString());
    }

    static ModelConfig parse(JsonObject o, String where) {
        Reader r = new Reader(o, where);
        String type = r.string("model_type", null);
        if (type == null) {
            throw new ScalesException(where + ": no \"model_type\"; cannot tell the architecture");
        }
        return switch (type) {
            case "gpt2" -> gpt2(r, o);
            case "llama", "qwen2", "mistral" -> llama(r, o, type);
            default -> throw new ScalesException(where + ": model_type '" + type + "' is not supported "
                    + "(supported: gpt2, llama, qwen2)");
        };
    }

    private static ModelConfig gpt2(Reader r, JsonObject o) {
        int hidden = r.positive("n_embd");
        int heads = r.positive("n_head");
        r.require(hidden % heads == 0, "n_embd (" + hidden + ") must be divisible by n_head (" + heads + ")");
        int inner = o.has("n_inner") && !o.get("n_inner").isJsonNull() ? r.positive("n_inner") : 4 * hidden;
        String act = r.string("activation_function", "gelu_new");
        r.require(List.of("gelu_new", "gelu_pytorch_tanh", "gelu").contains(act),
                "activation_function '" + act + "' is not supported (gelu_new, gelu)");
        int vocab = r.positive("vocab_size");
        return new ModelConfig(Architecture.GPT2, "gpt2", vocab, hidden, r.positive("n_layer"), heads, heads,
                hidden / heads, inner, r.positive("n_positions"), r.eps("layer_norm_epsilon", 1e-5), 0,
                RopeScaling.NONE, r.bool("tie_word_embeddings", true), true, true, true, act, r.tokenIdOrNone("bos_token_id", vocab),
                r.tokenIds("eos_token_id", vocab), r.tokenIdOrNone("pad_token_id", vocab),
                r.string("torch_dtype", "float32"), o);
    }

    /** Floats in one rotary table at most (512 MiB): 4M positions at head size 32, 1M at 128. */
    static final long MAX_ROPE_TABLE = 1L << 27;

    private static ModelConfig llama(Reader r, JsonObject o, String type) {
        int hidden = r.positive("hidden_size");
        int heads = r.positive("num_attention_heads");
        int kvHeads = o.has("num_key_value_heads") && !o.get("num_key_value_heads").isJsonNull()
                ? r.positive("num_key_value_heads") : heads;
        r.require(heads % kvHeads == 0, "num_attention_heads (" + heads + ") must be a multiple of "
                + "num_key_value_heads (" + kvHeads + ")");
        int headDim;
        if (o.has("head_dim") && !o.get("head_dim").isJsonNull()) {
            headDim = r.positive("head_dim");
        } else {
            r.require(hidden % heads == 0, "hidden_size (" + hidden + ") must be divisible by num_attention_heads ("
                    + heads + ")");
            headDim = hidden / heads;
        }
        r.require(headDim % 2 == 0, "the head size (" + headDim + ") must be even for RoPE");
        String act = r.string("hidden_act", "silu");
        r.require(act.equals("silu"), "hidden_act '" + act + "' is not supported (silu)");
        boolean qwen = type.equals("qwen2");
        boolean attentionBias = r.bool("attention_bias", false);
        int vocab = r.positive("vocab_size");
        double theta = r.positiveDouble("rope_theta", 10000.0);
        RopeScaling scaling = RopeScaling.parse(o.has("rope_scaling") && o.get("rope_scaling").isJsonObject()
                ? o.getAsJsonObject("rope_scaling") : null, r.where);
        int positions = r.positive("max_position_embeddings");
        // the rotary tables (cos and sin, positions × head size) are built at load: refused before, not mid-allocation
        r.require((long) positions * headDim <= MAX_ROPE_TABLE, "\"max_position_embeddings\" " + positions
                + " with a head size of " + headDim + " would need rotary tables of " + positions + " × " + headDim
                + " floats (" + dev.scales.core.util.Bytes.format(8L * positions * headDim) + "); Scales builds them "
                + "for at most " + MAX_ROPE_TABLE / headDim + " positions at this head size");
        return new ModelConfig(Architecture.LLAMA, type, vocab, hidden, r.positive("num_hidden_layers"), heads,
                kvHeads, headDim, r.positive("intermediate_size"), positions,
                r.eps("rms_norm_eps", 1e-6), theta, scaling, r.bool("tie_word_embeddings", false),
                qwen || attentionBias, !qwen && attentionBias, r.bool("mlp_bias", false), act,
                r.tokenIdOrNone("bos_token_id", vocab), r.tokenIds("eos_token_id", vocab),
                r.tokenIdOrNone("pad_token_id", vocab), r.string("torch_dtype", "float32"), o);
    }

    /** Parameters in the model (as the engine builds it). */
    public long parameterCount() {
        long c = hiddenSize;
        long emb = (long) vocabSize * c;
        if (architecture == Architecture.GPT2) {
            long perLayer = 2 * 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * intermediateSize + intermediateSize)
                    + (intermediateSize * c + c);
            return emb + (long) maxPositions * c + numLayers * perLayer + 2 * c + (tieWordEmbeddings ? 0 : emb);
        }
        long q = c * (long) numHeads * headDim + (qkvBias ? (long) numHeads * headDim : 0);
        long kv = 2 * (c * (long) numKvHeads * headDim + (qkvBias ? (long) numKvHeads * headDim : 0));
        long out = (long) numHeads * headDim * c + (outputBias ? c : 0);
        long mlp = 3 * c * intermediateSize + (mlpBias ? 2L * intermediateSize + c : 0);
        long perLayer = q + kv + out + mlp + 2 * c;
        return emb + numLayers * perLayer + c + (tieWordEmbeddings ? 0 : emb);
    }

    /** Reads keys with messages that name the file and the key. */
    private static final class Reader {
        final JsonObject o;
        final String where;

        Reader(JsonObject o, String where) {
            this.o = o;
            this.where = where;
        }

        void require(boolean ok, String message) {
            if (!ok) {
                throw new ScalesException(where + ": " + message);
            }
        }

        int positive(String key) {
            require(o.has(key) && !o.get(key).isJsonNull(), "missing \"" + key + "\"");
            try {
                long v = o.get(key).getAsLong();
                require(v > 0 && v <= 10_000_000 && o.get(key).getAsDouble() == v,
                        "\"" + key + "\" must be a positive whole number, got " + o.get(key));
                return (int) v;
            } catch (NumberFormatException | IllegalStateException | UnsupportedOperationException e) {
                throw new ScalesException(where + ": \"" + key + "\" must be a number, got " + o.get(key));
            }
        }

        double positiveDouble(String key, double fallback) {
            if (!o.has(key) || o.get(key).isJsonNull()) {
                return fallback;
            }
            try {
                double v = o.get(key).getAsDouble();
                require(v > 0 && Double.isFinite(v), "\"" + key + "\" must be positive, got " + o.get(key));
                return v;
            } catch (NumberFormatException | IllegalStateException | UnsupportedOperationException e) {
                throw new ScalesException(where + ": \"" + key + "\" must be a number, got " + o.get(key));
            }
        }

        double eps(String key, double fallback) {
            double v = positiveDouble(key, fallback);
            require(v < 1, "\"" + key + "\" must be below 1, got " + v);
            return v;
        }

        String string(String key, String fallback) {
            if (!o.has(key) || o.get(key).isJsonNull()) {
                return fallback;
            }
            require(o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isString(),
                    "\"" + key + "\" must be a string, got " + o.get(key));
            return o.get(key).getAsString();
        }

        boolean bool(String key, boolean fallback) {
            if (!o.has(key) || o.get(key).isJsonNull()) {
                return fallback;
            }
            require(o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isBoolean(),
                    "\"" + key + "\" must be true or false, got " + o.get(key));
            return o.get(key).getAsBoolean();
        }

        /** A token id: absent, null or an empty list is none (-1); a list gives its first. */
        int tokenIdOrNone(String key, int vocab) {
            List<Integer> ids = tokenIds(key, vocab);
            return ids.isEmpty() ? -1 : ids.get(0);
        }

        /** Token ids: one whole number or a list of them, each inside the vocabulary. */
        List<Integer> tokenIds(String key, int vocab) {
            List<Integer> ids = new ArrayList<>();
            if (!o.has(key) || o.get(key).isJsonNull()) {
                return ids;
            }
            JsonElement e = o.get(key);
            if (e.isJsonArray()) {
                e.getAsJsonArray().forEach(x -> ids.add(tokenId(key, x)));
            } else {
                ids.add(tokenId(key, e));
            }
            for (int id : ids) {
                require(id >= 0 && id < vocab, "\"" + key + "\" " + id + " is outside the vocabulary (" + vocab + ")");
            }
            return ids;
        }

        private int tokenId(String key, JsonElement e) {
            require(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()
                    && e.getAsDouble() == Math.rint(e.getAsDouble()) && Math.abs(e.getAsDouble()) < Integer.MAX_VALUE,
                    "\"" + key + "\" must be a token id (a whole number) or a list of them, got " + o.get(key));
            return e.getAsInt();
        }
    }
}
