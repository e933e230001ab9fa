package dev.scales.core.model;

import com.google.gson.GsonBuilder;
import dev.scales.core.ScalesException;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.safetensors.SafetensorsWriter;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model folder in the HuggingFace format it was loaded from: config.json as read,
 * model.safetensors with the checkpoint's own tensor names, dtypes and layouts (GPT-2's Conv1D
 * weights transposed back), and the tokenizer files. The folder is written whole beside the target
 * and then renamed into its place ({@link AtomicFiles#replaceFolder}): a save cut short leaves the
 * folder as it was, and a folder of other files is refused rather than mixed with a model.
 */
public final class ModelSaver {
    private static final List<String> COPIED = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json");

    private ModelSaver() {}

    public static void save(LoadedModel model, Path out) {
        save(model, out, true);
    }

    /**
     * As {@link #save(LoadedModel, Path)}; with {@code keepDtypes} false every weight is written in
     * F32 — what checkpoints need, so a resumed run continues from exactly the weights it stopped with.
     */
    public static void save(LoadedModel model, Path out, boolean keepDtypes) {
        Path target = out.toAbsolutePath().normalize();
        Path ready = target.resolveSibling("." + target.getFileName() + ".saving");
        Path aside = target.resolveSibling("." + target.getFileName() + ".replaced");
        try {
            if (Files.isDirectory(target) && !isEmpty(target) && !holdsModel(target)) {
                throw new ScalesException(target + ": holds other files; choose an empty folder, or a model or "
                        + "adapter folder to replace");
            }
            AtomicFiles.recovered(target, aside); // a save cut short between its two renames
            AtomicFiles.deleteTree(ready);
            write(model, ready, keepDtypes);
            AtomicFiles.syncFolder(ready);
            // the user's other files stay; the old weights (a sharded checkpoint's index and shards, an
            // adapter) would mislead the loader
            AtomicFiles.replaceFolder(ready, target, aside, f -> !isWeights(f.getFileName().toString()));
        } catch (IOException e) {
            throw new ScalesException(target + ": cannot save the model: " + e.getMessage(), e);
        }
    }

    private static boolean isWeights(String name) {
        return name.endsWith(".safetensors") || name.endsWith(".bin") || name.endsWith(".index.json")
                || name.equals("adapter_config.json") || name.equals("config.json");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static boolean holdsModel(Path dir) {
        return Files.exists(dir.resolve("config.json")) || Files.exists(dir.resolve("adapter_config.json"))
                || Files.exists(dir.resolve("model.safetensors"));
    }

    private static void write(LoadedModel model, Path out, boolean keepDtypes) throws IOException {
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("config.json"),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(model.config().raw()));
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        for (HfBlock.Weight w : model.lm().namedParameters().values()) {
            float[] values = w.array().toFloatArray();
            long[] shape = w.shape().getShape();
            if (w.transposed()) {
                values = transpose(values, (int) shape[0], (int) shape[1]);
                shape = new long[] {shape[1], shape[0]};
            }
            tensors.put(model.fileNames().get(w.name()),
                    new SafetensorsWriter.Tensor(FloatBuffer.wrap(values), shape,
                            keepDtypes ? model.fileDtypes().get(w.name()) : dev.scales.core.model.safetensors.DType.F32));
        }
        SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        for (String name : COPIED) {
            Path src = model.folder().resolve(name);
            if (Files.isRegularFile(src)) {
                Files.copy(src, out.resolve(name));
            }
        }
    }

    /** [rows, cols] → [cols, rows]. */
    static float[] transpose(float[] v, int rows, int cols) {
        float[] t = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = v[r * cols + c];
            }
        }
        return t;
    }

}
