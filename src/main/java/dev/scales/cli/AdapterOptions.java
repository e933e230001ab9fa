package dev.scales.cli;

import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --adapter DIR}: run the model with a PEFT LoRA adapter (written by Scales or by HF PEFT). */
final class AdapterOptions {
    @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter folder (adapter_config.json, "
            + "adapter_model.safetensors) made for this model; it is merged into the weights.")
    Path adapter;

    /** {@code model} with the adapter merged in, when one is given. */
    LoadedModel apply(LoadedModel model) {
        if (adapter != null) {
            try {
                LoraAdapters.mergeInto(model, adapter);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
        return model;
    }
}
