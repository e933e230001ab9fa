package dev.scales.core.model.nn;

import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.LoraConfig;
import java.util.Random;

/** LoRA adapters on every default target, r 4, α 8, with B drawn at random (as if trained): they change the logits. */
final class TrainedAdapters {
    private TrainedAdapters() {}

    static LoraAdapters attach(LoadedModel model) {
        LoraAdapters adapters = LoraAdapters.attach(model, new LoraConfig(4, 8, 0.1f,
                LoraConfig.defaultTargets(model.config().architecture())), 7);
        Random random = new Random(3);
        for (LoraAdapter a : adapters.adapters().values()) {
            float[] b = new float[Math.toIntExact(a.loraB().size())];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextGaussian() * 0.5f;
            }
            a.loraB().set(b); // trained: B no longer zero
        }
        return adapters;
    }
}
