package dev.scales.core.model;

import ai.djl.ndarray.NDManager;
import dev.scales.core.model.gpt2.Gpt2Model;
import dev.scales.core.model.llama.LlamaModel;
import dev.scales.core.model.nn.Scalars;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The decoder families the engine implements, each with everything that differs between them:
 * how its {@code config.json} reads, how it is built, its checkpoint names, its parameter count
 * and its adapters' defaults. A new family is a new constant, and the compiler asks for each of
 * these; code elsewhere switches on a family only with exhaustive {@code switch} expressions
 * (no {@code ==} tests that would let a new family fall through — see the architecture test).
 */
public enum Architecture {
    /** GPT-2: learned positions, LayerNorm, fused c_attn, Conv1D layout, gelu_new, tied head. */
    GPT2 {
        @Override
        List<String> modelTypes() {
            return List.of("gpt2");
        }

        @Override
        ModelConfig.Builder read(ConfigReader r, String modelType) {
            int hidden = r.positive("n_embd");
            int heads = r.positive("n_head");
            r.require(hidden % heads == 0, "n_embd (" + hidden + ") must be divisible by n_head (" + heads + ")");
            String act = r.string("activation_function", "gelu_new");
            r.require(List.of("gelu_new", "gelu_pytorch_tanh", "gelu").contains(act),
                    "activation_function '" + act + "' is not supported (gelu_new, gelu)");
            return ModelConfig.builder(this, modelType)
                    .vocabSize(r.positive("vocab_size")).hiddenSize(hidden).numLayers(r.positive("n_layer"))
                    .heads(heads, heads, hidden / heads)
                    .intermediateSize(r.has("n_inner") ? r.positive("n_inner") : 4 * hidden)
                    .maxPositions(r.positive("n_positions")).normEps(r.eps("layer_norm_epsilon", 1e-5))
                    .tieWordEmbeddings(r.bool("tie_word_embeddings", true))
                    .biases(true, true, true).activation(act);
        }

        @Override
        long parameterCount(ModelConfig c) {
            long d = c.hiddenSize();
            long inner = c.intermediateSize();
            long perLayer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * inner + inner) + (inner * d + d);
            long embedding = (long) c.vocabSize() * d;
            return embedding + (long) c.maxPositions() * d + c.numLayers() * perLayer + 2 * d
                    + (c.tieWordEmbeddings() ? 0 : embedding);
        }

        @Override
        CausalLm build(ModelConfig config, Scalars scalars, NDManager manager) {
            return new Gpt2Model(config, scalars);
        }

        /** GPT-2 files come with or without the {@code transformer.} prefix. */
        @Override
        UnaryOperator<String> checkpointNames(Set<String> inFile) {
            boolean noPrefix = !inFile.contains("transformer.wte.weight") && inFile.contains("wte.weight");
            return noPrefix ? ours -> ours.substring("transformer.".length()) : UnaryOperator.identity();
        }

        @Override
        public List<String> defaultLoraTargets() {
            return List.of("c_attn", "c_proj", "c_fc");
        }

        @Override
        List<String> peftDefaultTargets() {
            return List.of("c_attn");
        }

        @Override
        public boolean conv1dWeights() {
            return true;
        }
    },

    /** Llama, Qwen2 (also SmolLM2, TinyLlama), Mistral: RMSNorm, RoPE, SwiGLU, grouped-query attention. */
    LLAMA {
        @Override
        List<String> modelTypes() {
            return List.of("llama", "qwen2", "mistral");
        }

        @Override
        ModelConfig.Builder read(ConfigReader r, String modelType) {
            int hidden = r.positive("hidden_size");
            int heads = r.positive("num_attention_heads");
            int kvHeads = r.has("num_key_value_heads") ? r.positive("num_key_value_heads") : heads;
            r.require(heads % kvHeads == 0, "num_attention_heads (" + heads + ") must be a multiple of "
                    + "num_key_value_heads (" + kvHeads + ")");
            int headDim = headDim(r, hidden, heads);
            String act = r.string("hidden_act", "silu");
            r.require(act.equals("silu"), "hidden_act '" + act + "' is not supported (silu)");
            // Qwen2 has q/k/v biases and no such key; Llama and Mistral say so with attention_bias
            boolean qwen = modelType.equals("qwen2");
            boolean attentionBias = r.bool("attention_bias", false);
            int positions = r.positive("max_position_embeddings");
            checkRopeTable(r, positions, headDim);
            return ModelConfig.builder(this, modelType)
                    .vocabSize(r.positive("vocab_size")).hiddenSize(hidden).numLayers(r.positive("num_hidden_layers"))
                    .heads(heads, kvHeads, headDim).intermediateSize(r.positive("intermediate_size"))
                    .maxPositions(positions).normEps(r.eps("rms_norm_eps", 1e-6))
                    .rope(r.positiveDouble("rope_theta", 10000.0), RopeScaling.parse(r.object("rope_scaling"), r.where))
                    .tieWordEmbeddings(r.bool("tie_word_embeddings", false))
                    .biases(qwen || attentionBias, !qwen && attentionBias, r.bool("mlp_bias", false))
                    .activation(act);
        }

        private int headDim(ConfigReader r, int hidden, int heads) {
            int headDim;
            if (r.has("head_dim")) {
                headDim = r.positive("head_dim");
            } else {
                r.require(hidden % heads == 0, "hidden_size (" + hidden + ") must be divisible by "
                        + "num_attention_heads (" + heads + ")");
                headDim = hidden / heads;
            }
            r.require(headDim % 2 == 0, "the head size (" + headDim + ") must be even for RoPE");
            return headDim;
        }

        /** The rotary tables (cos and sin, positions × head size) are built at load: refused before, not mid-allocation. */
        private void checkRopeTable(ConfigReader r, int positions, int headDim) {
            r.require((long) positions * headDim <= MAX_ROPE_TABLE, "\"max_position_embeddings\" " + positions
                    + " with a head size of " + headDim + " would need rotary tables of " + positions + " × "
                    + headDim + " floats (" + dev.scales.core.util.Bytes.format(8L * positions * headDim)
                    + "); Scales builds them for at most " + MAX_ROPE_TABLE / headDim + " positions at this head size");
        }

        @Override
        long parameterCount(ModelConfig c) {
            long d = c.hiddenSize();
            long q = d * c.numHeads() * c.headDim() + (c.qkvBias() ? (long) c.numHeads() * c.headDim() : 0);
            long kv = 2 * (d * c.numKvHeads() * c.headDim() + (c.qkvBias() ? (long) c.numKvHeads() * c.headDim() : 0));
            long out = (long) c.numHeads() * c.headDim() * d + (c.outputBias() ? d : 0);
            long mlp = 3 * d * c.intermediateSize() + (c.mlpBias() ? 2L * c.intermediateSize() + d : 0);
            long perLayer = q + kv + out + mlp + 2 * d;
            long embedding = (long) c.vocabSize() * d;
            return embedding + c.numLayers() * perLayer + d + (c.tieWordEmbeddings() ? 0 : embedding);
        }

        @Override
        CausalLm build(ModelConfig config, Scalars scalars, NDManager manager) {
            return new LlamaModel(config, scalars, manager);
        }

        @Override
        UnaryOperator<String> checkpointNames(Set<String> inFile) {
            return UnaryOperator.identity();
        }

        @Override
        public List<String> defaultLoraTargets() {
            return List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        }

        @Override
        List<String> peftDefaultTargets() {
            return List.of("q_proj", "v_proj");
        }

        @Override
        public boolean conv1dWeights() {
            return false;
        }
    };

    /** Floats in one rotary table at most (512 MiB): 4M positions at head size 32, 1M at 128. */
    static final long MAX_ROPE_TABLE = 1L << 27;

    /** The {@code model_type} values of config.json that this family reads. */
    abstract List<String> modelTypes();

    /** Reads this family's keys of a config.json; the caller adds the keys every family shares. */
    abstract ModelConfig.Builder read(ConfigReader r, String modelType);

    /** Parameters in the model as the engine builds it. */
    abstract long parameterCount(ModelConfig config);

    /** The model's blocks, weights not yet loaded. */
    abstract CausalLm build(ModelConfig config, Scalars scalars, NDManager manager);

    /** Our parameter name → the checkpoint's, given the names the checkpoint has. */
    abstract UnaryOperator<String> checkpointNames(Set<String> inFile);

    /**
     * The layers Scales puts LoRA adapters on by default: every linear layer of a block (attention
     * and MLP), as QLoRA recommends, rather than PEFT's query and value only: on the bundled model,
     * adapters on q and v alone never learned the sentiment task at any learning rate, all seven
     * reached it (docs/decisions/0009).
     */
    public abstract List<String> defaultLoraTargets();

    /** PEFT's default targets for this family, used when an adapter folder names none. */
    abstract List<String> peftDefaultTargets();

    /** Whether checkpoints store linear weights as (in, out) Conv1D matrices (PEFT's fan_in_fan_out). */
    public abstract boolean conv1dWeights();

    /** The family that reads this {@code model_type}, or null. */
    static Architecture ofModelType(String modelType) {
        for (Architecture a : values()) {
            if (a.modelTypes().contains(modelType)) {
                return a;
            }
        }
        return null;
    }

    /** Every model_type Scales reads, for messages. */
    static String supportedModelTypes() {
        return String.join(", ", java.util.Arrays.stream(values()).flatMap(a -> a.modelTypes().stream()).toList());
    }
}
