package dev.scales.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.model.nn.Scalars;
import dev.scales.core.model.safetensors.DType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A model in memory: its config, tokenizer and weights on one device. The manager owns every
 * weight tensor; closing the model frees them.
 *
 * @param fileNames   for each parameter (by our HF name), the name it had in the checkpoint
 * @param fileDtypes  for each parameter, the dtype it had on disk (so saving keeps it)
 * @param chatTemplate the folder's chat template, or null where it has none
 */
public record LoadedModel(Path folder, ModelConfig config, Tokenizer tokenizer, CausalLm lm, NDManager manager,
                          Scalars scalars, Map<String, String> fileNames, Map<String, DType> fileDtypes,
                          GenerationDefaults generationDefaults, ChatTemplate chatTemplate) implements AutoCloseable {
    public LoadedModel {
        fileNames = Map.copyOf(fileNames);
        fileDtypes = Map.copyOf(fileDtypes);
    }

    /** The model's chat template, if its folder has one. */
    public Optional<ChatTemplate> chat() {
        return Optional.ofNullable(chatTemplate);
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The device for people: "CPU" or "GPU 0". */
    public String deviceName() {
        return device().isGpu() ? "GPU " + device().getDeviceId() : "CPU";
    }

    /** A short name for messages: the folder's name. */
    public String name() {
        return ModelLocations.displayName(folder);
    }

    /** The longest sequence (prompt plus generated tokens) the model accepts. */
    public int contextLength() {
        return config.maxPositions();
    }

    @Override
    public void close() {
        manager.close();
        tokenizer.close();
    }
}
