package dev.scales.cli;

import ai.djl.engine.Engine;
import dev.scales.core.Offline;
import dev.scales.core.device.Devices;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A HuggingFace model folder (config.json, *.safetensors, tokenizer.json).")
    Path model;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "auto, cpu, gpu0, gpu1… (default: ${DEFAULT-VALUE}).")
    String device;

    LoadedModel load() {
        Offline.configure();
        return ModelLoader.load(model, Devices.resolve(device, Engine.getEngine("PyTorch")));
    }
}
