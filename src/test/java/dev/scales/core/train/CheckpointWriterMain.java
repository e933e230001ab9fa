package dev.scales.core.train;

import ai.djl.Device;
import dev.scales.core.AppPaths;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.nn.HfBlock;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that writes the bundled model's "last" checkpoint (weights and optimizer state) into
 * the folder given, again and again with a growing step, printing "saved N" after each: what
 * {@link CheckpointKillTest} kills at random moments.
 */
public final class CheckpointWriterMain {
    private CheckpointWriterMain() {}

    public static void main(String[] args) throws Exception {
        Checkpoints checkpoints = new Checkpoints(Path.of(args[0]));
        int step = Files.isDirectory(checkpoints.last()) ? Checkpoints.step(checkpoints.last()) : 0;
        GradMode.inference();
        try (LoadedModel model = ModelLoader.load(AppPaths.bundledModel(), Device.cpu());
             AdamW optimizer = new AdamW(model.manager(), model.lm().namedParameters().values().stream()
                     .map(HfBlock.Weight::array).toList(), i -> true, 0.9f, 0.999f, 1e-8f, 0.01f)) {
            while (true) {
                step++;
                checkpoints.save("last", model, null, optimizer, step, 0, Double.NaN);
                System.out.println("saved " + step);
                System.out.flush();
            }
        }
    }
}
