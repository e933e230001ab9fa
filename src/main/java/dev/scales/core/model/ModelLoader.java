package dev.scales.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.Scalars;
import dev.scales.core.model.safetensors.DType;
import dev.scales.core.model.safetensors.SafetensorsReader;
import dev.scales.core.model.safetensors.TensorEntry;
import dev.scales.core.util.ProgressCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Loads a HuggingFace model folder onto a device: config, tokenizer, generation defaults and
 * weights. Every tensor the architecture needs must be in the checkpoint with the right shape;
 * a missing, extra or mis-shaped tensor is an error naming it and the file.
 */
public final class ModelLoader {
    /**
     * Tensors some checkpoints carry that are not weights: GPT-2's causal-mask buffers and
     * older Llama exports' RoPE frequencies (recomputed here from the config).
     */
    private static final Pattern IGNORABLE = Pattern.compile(".*\\.attn\\.(masked_)?bias|.*\\.rotary_emb\\.inv_freq");

    private ModelLoader() {}

    public static LoadedModel load(Path folder, Device device) {
        return load(folder, device, share -> { }, () -> false);
    }

    /**
     * As {@link #load(Path, Device)}, telling {@code progress} the share of the tensor bytes read
     * (0 before the first tensor, then after each, 1 at the end) and asking {@code cancelled}
     * between tensors: a cancelled load frees what it had read and throws a
     * {@link CancellationException}.
     */
    public static LoadedModel load(Path folder, Device device, DoubleConsumer progress, BooleanSupplier cancelled) {
        if (!Files.isDirectory(folder)) {
            throw new ScalesException(folder + ": no such model folder");
        }
        return load(folder, NDManager.newBaseManager(device, "PyTorch"), progress, cancelled);
    }

    /** Loads into {@code manager}, the model's own from then on; it is closed when the load fails or is cancelled. */
    static LoadedModel load(Path folder, NDManager manager, DoubleConsumer progress, BooleanSupplier cancelled) {
        Tokenizer tokenizer = null;
        try {
            ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
            ChatTemplate chat = ChatTemplate.read(folder).orElse(null);
            tokenizer = loadTokenizer(folder, config);
            try (SafetensorsReader reader = SafetensorsReader.open(folder)) {
                Scalars scalars = new Scalars(manager);
                CausalLm lm = build(config, scalars, manager);
                Map<String, String> fileNames = checkTensors(config, lm, reader);
                Map<String, DType> dtypes = readWeights(lm, reader, fileNames, manager, progress, cancelled);
                return new LoadedModel(folder.toAbsolutePath(), config, tokenizer, lm, manager, scalars, fileNames,
                        dtypes, GenerationDefaults.read(folder.resolve("generation_config.json")), chat);
            }
        } catch (RuntimeException | Error e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /** Reads every weight of {@code lm} into {@code manager}, tensor by tensor; returns each one's dtype on disk. */
    private static Map<String, DType> readWeights(CausalLm lm, SafetensorsReader reader, Map<String, String> fileNames,
                                                  NDManager manager, DoubleConsumer progress, BooleanSupplier cancelled) {
        ProgressCount bytes = new ProgressCount(fileNames.values().stream()
                .mapToLong(n -> reader.entry(n).byteCount()).sum(), progress);
        progress.accept(0);
        Map<String, DType> dtypes = new LinkedHashMap<>();
        Map<HfBlock.Weight, ai.djl.ndarray.NDArray> arrays = new LinkedHashMap<>();
        for (HfBlock.Weight w : lm.namedParameters().values()) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("the load was cancelled");
            }
            String fileName = fileNames.get(w.name());
            arrays.put(w, read(reader, fileName, manager, w.transposed()));
            dtypes.put(w.name(), reader.entry(fileName).dtype());
            bytes.add(reader.entry(fileName).byteCount());
        }
        WeightLayout.install(lm, arrays);
        return dtypes;
    }

    /**
     * Puts the weights saved in {@code folder} (a full fine-tune's checkpoint of this model) into
     * {@code model} in place: every tensor is checked (name, shape, finite values) before any is
     * changed, so a checkpoint that does not fit leaves the model as it was.
     */
    public static void readWeightsInto(LoadedModel model, Path folder) {
        GradMode.inference();
        try (SafetensorsReader reader = SafetensorsReader.open(folder);
             NDManager scratch = model.manager().newSubManager()) {
            Map<String, String> fileNames = checkTensors(model.config(), model.lm(), reader);
            Map<HfBlock.Weight, ai.djl.ndarray.NDArray> read = new LinkedHashMap<>();
            for (HfBlock.Weight w : model.lm().namedParameters().values()) {
                read.put(w, read(reader, fileNames.get(w.name()), scratch, w.transposed()));
            }
            ai.djl.ndarray.index.NDIndex all = new ai.djl.ndarray.index.NDIndex("...");
            read.forEach((w, values) -> w.array().set(all, values));
        }
    }

    /** The folder's tokenizer, refused when it can produce ids the model's vocabulary has no row for. */
    private static Tokenizer loadTokenizer(Path folder, ModelConfig config) {
        Tokenizer tokenizer = Tokenizer.load(folder.resolve("tokenizer.json"));
        long largest;
        try {
            largest = tokenizer.largestId();
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        if (largest >= config.vocabSize()) {
            tokenizer.close();
            throw new ScalesException(tokenizer.file() + ": has token ids up to " + largest + ", but config.json's "
                    + "vocab_size is " + config.vocabSize() + ": the tokenizer belongs to another model");
        }
        return tokenizer;
    }

    /**
     * A second model with the same weights as {@code source}, copied in memory on its device (only
     * the small tokenizer file is read again): a copy to fine-tune fully while the source stays as
     * it is. Close it to free the copy.
     */
    public static LoadedModel copyOf(LoadedModel source) {
        Tokenizer tokenizer = Tokenizer.load(source.folder().resolve("tokenizer.json"));
        NDManager manager = NDManager.newBaseManager(source.device(), "PyTorch");
        try {
            Scalars scalars = new Scalars(manager);
            CausalLm lm = build(source.config(), scalars, manager);
            Map<String, HfBlock.Weight> from = source.lm().namedParameters();
            Map<HfBlock.Weight, ai.djl.ndarray.NDArray> arrays = new LinkedHashMap<>();
            for (HfBlock.Weight w : lm.namedParameters().values()) {
                ai.djl.ndarray.NDArray copy = from.get(w.name()).array().duplicate();
                copy.attach(manager);
                arrays.put(w, copy);
            }
            WeightLayout.install(lm, arrays);
            return new LoadedModel(source.folder(), source.config(), tokenizer, lm, manager, scalars,
                    source.fileNames(), source.fileDtypes(), source.generationDefaults(),
                    source.chat().orElse(null));
        } catch (RuntimeException | Error e) {
            manager.close();
            tokenizer.close();
            throw e;
        }
    }

    /**
     * A model built from the folder's config.json and tokenizer.json with fresh weights, as GPT-2
     * initialises them: normal(0, 0.02) matrices and embeddings, the residual output projections
     * scaled by 1/sqrt(2 layers), zero biases, unit norms. The same seed gives the same weights.
     */
    public static LoadedModel initialize(Path folder, Device device, long seed) {
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        ChatTemplate chat = ChatTemplate.read(folder).orElse(null);
        Tokenizer tokenizer = loadTokenizer(folder, config);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            Scalars scalars = new Scalars(manager);
            CausalLm lm = build(config, scalars, manager);
            java.util.Random random = new java.util.Random(seed);
            Map<String, String> fileNames = new LinkedHashMap<>();
            Map<String, DType> dtypes = new LinkedHashMap<>();
            double residual = 0.02 / Math.sqrt(2.0 * config.numLayers());
            Map<HfBlock.Weight, ai.djl.ndarray.NDArray> arrays = new LinkedHashMap<>();
            for (HfBlock.Weight w : lm.namedParameters().values()) {
                String n = w.name();
                float[] values = new float[Math.toIntExact(w.shape().size())];
                boolean norm = n.contains("ln_") || n.contains("norm");
                if (norm && n.endsWith(".weight")) {
                    Arrays.fill(values, 1f);
                } else if (!n.endsWith(".bias")) {
                    double std = n.endsWith("c_proj.weight") || n.endsWith("o_proj.weight")
                            || n.endsWith("down_proj.weight") ? residual : 0.02;
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (random.nextGaussian() * std);
                    }
                }
                arrays.put(w, manager.create(values, w.shape()));
                fileNames.put(n, n);
                dtypes.put(n, DType.F32);
            }
            WeightLayout.install(lm, arrays);
            return new LoadedModel(folder.toAbsolutePath(), config, tokenizer, lm, manager, scalars, fileNames, dtypes,
                    GenerationDefaults.read(folder.resolve("generation_config.json")), chat);
        } catch (RuntimeException | Error e) {
            manager.close();
            tokenizer.close();
            throw e;
        }
    }

    /**
     * A tensor as F32; a transposed one (GPT-2's Conv1D, [in, out] on disk) comes back as a
     * contiguous [out, in] copy made by libtorch (flatten forces the copy of the transposed view).
     */
    private static ai.djl.ndarray.NDArray read(SafetensorsReader reader, String name, NDManager manager,
                                              boolean transposed) {
        ai.djl.ndarray.NDArray onDisk = reader.readFloat(name, manager);
        if (!transposed) {
            return onDisk;
        }
        long[] s = onDisk.getShape().getShape(); // (in, out)
        try (ai.djl.ndarray.NDArray view = onDisk.transpose(); ai.djl.ndarray.NDArray flat = view.flatten()) {
            return flat.reshape(s[1], s[0]); // (out, in), contiguous; shares flat's storage
        } finally {
            onDisk.close();
        }
    }

    /**
     * Checks a folder as {@link #load} would — config, tokenizer file, every tensor's name, shape
     * and dtype — without reading any weight, and says what loading it would take.
     */
    public static ModelSummary inspect(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ScalesException(folder + ": no such model folder");
        }
        ModelConfig config = ModelConfig.read(folder.resolve("config.json"));
        if (!Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            throw new ScalesException(folder.resolve("tokenizer.json") + ": missing (Scales needs the fast tokenizer file)");
        }
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu(), "PyTorch");
             SafetensorsReader reader = SafetensorsReader.open(folder)) {
            CausalLm lm = build(config, new Scalars(scratch), scratch);
            Map<String, String> fileNames = checkTensors(config, lm, reader);
            Map<DType, Long> byDtype = new java.util.EnumMap<>(DType.class);
            long params = 0;
            for (String fileName : fileNames.values()) {
                TensorEntry e = reader.entry(fileName);
                byDtype.merge(e.dtype(), e.elementCount(), Long::sum);
                params += e.elementCount();
            }
            DType main = byDtype.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElse(DType.F32);
            return new ModelSummary(folder.toAbsolutePath(), ModelLocations.displayName(folder), config, params, main);
        }
    }

    private static CausalLm build(ModelConfig config, Scalars scalars, NDManager manager) {
        return config.architecture().build(config, scalars, manager);
    }

    /** Maps names (see {@link #nameMap}) and checks every tensor's shape and dtype against the model. */
    static Map<String, String> checkTensors(ModelConfig config, CausalLm lm, SafetensorsReader reader) {
        Map<String, String> fileNames = nameMap(config, lm, reader);
        for (HfBlock.Weight w : lm.namedParameters().values()) {
            String fileName = fileNames.get(w.name());
            TensorEntry entry = reader.entry(fileName);
            long[] expected = w.shape().getShape();
            long[] onDisk = w.transposed() ? new long[] {expected[1], expected[0]} : expected;
            if (!Arrays.equals(entry.shape(), onDisk)) {
                throw new ScalesException(reader.fileOf(fileName) + ": tensor '" + fileName + "' has shape "
                        + entry.shapeString() + " but " + config.modelType() + " with this config.json needs "
                        + Arrays.toString(onDisk));
            }
            if (!entry.dtype().isFloat()) {
                throw new ScalesException(reader.fileOf(fileName) + ": tensor '" + fileName + "' is "
                        + entry.dtype() + ", expected F32, F16 or BF16");
            }
        }
        return fileNames;
    }

    /**
     * Our parameter name → the checkpoint's name. GPT-2 files come with or without the
     * {@code transformer.} prefix; tied checkpoints may still carry an {@code lm_head.weight}.
     */
    static Map<String, String> nameMap(ModelConfig config, CausalLm lm, SafetensorsReader reader) {
        Set<String> inFile = new LinkedHashSet<>(reader.entries().keySet());
        UnaryOperator<String> theirName = config.architecture().checkpointNames(inFile);
        Map<String, String> map = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String ours : lm.namedParameters().keySet()) {
            String theirs = theirName.apply(ours);
            if (inFile.remove(theirs)) {
                map.put(ours, theirs);
            } else {
                missing.add(theirs);
            }
        }
        if (!missing.isEmpty()) {
            throw new ScalesException("the checkpoint in " + reader.fileOf(reader.entries().keySet().iterator().next())
                    .getParent() + " lacks " + missing.size() + " tensor(s) that " + config.modelType()
                    + " needs: " + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
                    + (missing.size() > 5 ? ", …" : ""));
        }
        inFile.removeIf(n -> IGNORABLE.matcher(n).matches()
                || (config.tieWordEmbeddings() && n.equals("lm_head.weight")));
        if (!inFile.isEmpty()) {
            List<String> extra = new ArrayList<>(inFile);
            throw new ScalesException(reader.fileOf(extra.get(0)) + ": " + extra.size() + " unexpected tensor(s) for "
                    + config.modelType() + " with this config.json: "
                    + String.join(", ", extra.subList(0, Math.min(5, extra.size()))) + (extra.size() > 5 ? ", …" : ""));
        }
        return map;
    }
}
