package dev.scales.core.model;

import java.nio.file.Path;

/**
 * What a model folder holds, read from its files without loading the weights.
 *
 * @param parameterCount  number of weights
 * @param diskDtype       the dtype most weights have on disk
 */
public record ModelSummary(Path folder, String name, ModelConfig config, long parameterCount,
                           dev.scales.core.model.safetensors.DType diskDtype) {
    /** Memory the weights take once loaded (the engine computes in F32). */
    public long weightBytes() {
        return parameterCount * 4;
    }
}
