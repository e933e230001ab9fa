package dev.scales.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's {@code config.json}, read into the numbers the engine needs and validated: a value
 * out of range is an error naming the file and the key. What differs between families is read by
 * the family ({@link Architecture}); the keys they share (token ids, dtype) here. The original
 * JSON is kept so a saved model writes back every key it was loaded with. Built only through
 * {@link Builder}, which names every number it sets.
 */
public final class ModelConfig {
    private final Architecture architecture;
    private final String modelType;
    private final int vocabSize;
    private final int hiddenSize;
    private final int numLayers;
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;
    private final int intermediateSize;
    private final int maxPositions;
    private final double normEps;
    private final double ropeTheta;
    private final RopeScaling ropeScaling;
    private final boolean tieWordEmbeddings;
    private final boolean qkvBias;
    private final boolean outputBias;
    private final boolean mlpBias;
    private final String activation;
    private final int bosTokenId;
    private final List<Integer> eosTokenIds;
    private final int padTokenId;
    private final String torchDtype;
    private final JsonObject raw;

    private ModelConfig(Builder b) {
        this.architecture = b.architecture;
        this.modelType = b.modelType;
        this.vocabSize = b.vocabSize;
        this.hiddenSize = b.hiddenSize;
        this.numLayers = b.numLayers;
        this.numHeads = b.numHeads;
        this.numKvHeads = b.numKvHeads;
        this.headDim = b.headDim;
        this.intermediateSize = b.intermediateSize;
        this.maxPositions = b.maxPositions;
        this.normEps = b.normEps;
        this.ropeTheta = b.ropeTheta;
        this.ropeScaling = b.ropeScaling;
        this.tieWordEmbeddings = b.tieWordEmbeddings;
        this.qkvBias = b.qkvBias;
        this.outputBias = b.outputBias;
        this.mlpBias = b.mlpBias;
        this.activation = b.activation;
        this.bosTokenId = b.bosTokenId;
        this.padTokenId = b.padTokenId;
        this.torchDtype = b.torchDtype;
        this.eosTokenIds = List.copyOf(b.eosTokenIds);
        this.raw = b.raw.deepCopy();
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
        ConfigReader r = new ConfigReader(o, where);
        String type = r.string("model_type", null);
        if (type == null) {
            throw new ScalesException(where + ": no \"model_type\"; cannot tell the architecture");
        }
        Architecture family = Architecture.ofModelType(type);
        if (family == null) {
            throw new ScalesException(where + ": model_type '" + type + "' is not supported (supported: "
                    + Architecture.supportedModelTypes() + ")");
        }
        Builder b = family.read(r, type);
        return b.tokens(r.tokenIdOrNone("bos_token_id", b.vocabSize), r.tokenIds("eos_token_id", b.vocabSize),
                        r.tokenIdOrNone("pad_token_id", b.vocabSize))
                .torchDtype(r.string("torch_dtype", "float32")).raw(o).build();
    }

    /** Parameters in the model (as the engine builds it). */
    public long parameterCount() {
        return architecture.parameterCount(this);
    }

    /** The config.json this was read from (a copy). */
    public JsonObject raw() {
        return raw.deepCopy();
    }

    public Architecture architecture() {
        return architecture;
    }

    public String modelType() {
        return modelType;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public int numHeads() {
        return numHeads;
    }

    public int numKvHeads() {
        return numKvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int intermediateSize() {
        return intermediateSize;
    }

    public int maxPositions() {
        return maxPositions;
    }

    public double normEps() {
        return normEps;
    }

    public double ropeTheta() {
        return ropeTheta;
    }

    public RopeScaling ropeScaling() {
        return ropeScaling;
    }

    public boolean tieWordEmbeddings() {
        return tieWordEmbeddings;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    public boolean outputBias() {
        return outputBias;
    }

    public boolean mlpBias() {
        return mlpBias;
    }

    public String activation() {
        return activation;
    }

    /** The beginning-of-sequence id, or -1 when the config names none. */
    public int bosTokenId() {
        return bosTokenId;
    }

    /** End-of-sequence ids (Llama 3 configs list several); empty when none. */
    public List<Integer> eosTokenIds() {
        return eosTokenIds;
    }

    /** The padding id, or -1 when the config names none. */
    public int padTokenId() {
        return padTokenId;
    }

    public String torchDtype() {
        return torchDtype;
    }

    @Override
    public String toString() {
        return modelType + " (" + numLayers + " layers, d " + hiddenSize + ", " + numHeads + "/" + numKvHeads
                + " heads, vocabulary " + vocabSize + ")";
    }

    public static Builder builder(Architecture architecture, String modelType) {
        return new Builder(architecture, modelType);
    }

    /** Sets a config's numbers by name; {@link #build} checks that the sizes are set. */
    public static final class Builder {
        private final Architecture architecture;
        private final String modelType;
        private int vocabSize;
        private int hiddenSize;
        private int numLayers;
        private int numHeads;
        private int numKvHeads;
        private int headDim;
        private int intermediateSize;
        private int maxPositions;
        private double normEps = 1e-5;
        private double ropeTheta;
        private RopeScaling ropeScaling = RopeScaling.NONE;
        private boolean tieWordEmbeddings;
        private boolean qkvBias;
        private boolean outputBias;
        private boolean mlpBias;
        private String activation;
        private int bosTokenId = -1;
        private List<Integer> eosTokenIds = List.of();
        private int padTokenId = -1;
        private String torchDtype = "float32";
        private JsonObject raw = new JsonObject();

        private Builder(Architecture architecture, String modelType) {
            this.architecture = architecture;
            this.modelType = modelType;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder hiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        public Builder numLayers(int v) {
            numLayers = v;
            return this;
        }

        /** Query heads, key-value heads (fewer with grouped-query attention) and the size of one head. */
        public Builder heads(int query, int keyValue, int size) {
            numHeads = query;
            numKvHeads = keyValue;
            headDim = size;
            return this;
        }

        public Builder intermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        public Builder maxPositions(int v) {
            maxPositions = v;
            return this;
        }

        public Builder normEps(double v) {
            normEps = v;
            return this;
        }

        public Builder rope(double theta, RopeScaling scaling) {
            ropeTheta = theta;
            ropeScaling = scaling;
            return this;
        }

        public Builder tieWordEmbeddings(boolean v) {
            tieWordEmbeddings = v;
            return this;
        }

        /** Biases on the query/key/value projections, the attention output and the MLP. */
        public Builder biases(boolean qkv, boolean output, boolean mlp) {
            qkvBias = qkv;
            outputBias = output;
            mlpBias = mlp;
            return this;
        }

        public Builder activation(String v) {
            activation = v;
            return this;
        }

        /** Beginning, end(s) and padding of sequences; -1 (or no end ids) for none. */
        public Builder tokens(int bos, List<Integer> eos, int pad) {
            bosTokenId = bos;
            eosTokenIds = eos;
            padTokenId = pad;
            return this;
        }

        public Builder torchDtype(String v) {
            torchDtype = v;
            return this;
        }

        /** The JSON the config was read from, written back when the model is saved. */
        public Builder raw(JsonObject v) {
            raw = v;
            return this;
        }

        public ModelConfig build() {
            int[] sizes = {vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim, intermediateSize,
                maxPositions};
            for (int size : sizes) {
                if (size <= 0) {
                    throw new IllegalStateException(modelType + ": every size of the model must be set: "
                            + java.util.Arrays.toString(sizes));
                }
            }
            return new ModelConfig(this);
        }
    }
}
