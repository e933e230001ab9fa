package dev.scales.core.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelSaver;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The best (lowest validation loss) and the last checkpoint of a run, each a folder holding the
 * fine-tuned model (HF layout) or the LoRA adapter (PEFT layout) and {@code trainer_state.json}.
 * A checkpoint is written into a temporary folder, forced to the disk, that then replaces the old
 * one: the old one is first renamed aside and deleted only once the new one is in place, so a
 * process killed at any point leaves a whole checkpoint ({@link #last()} and {@link #best()} take
 * the one set aside back when the kill fell between the two renames).
 */
public final class Checkpoints {
    private final Path dir;

    public Checkpoints(Path dir) {
        this.dir = dir;
    }

    /** The best checkpoint's folder (it may not exist yet). */
    public Path best() {
        return existing("best");
    }

    /** The last checkpoint's folder (it may not exist yet). */
    public Path last() {
        return existing("last");
    }

    /** {@code which}'s folder, put back from where a save set it aside if a kill interrupted the swap. */
    private Path existing(String which) {
        return AtomicFiles.recovered(dir.resolve(which), dir.resolve("." + which + ".old"));
    }

    void save(String which, LoadedModel model, LoraAdapters adapters, int step, int epoch, double validationLoss) {
        save(which, model, adapters, null, step, epoch, validationLoss);
    }

    /** Writes a checkpoint; with an optimizer its state is kept too, so the run can resume from it. */
    void save(String which, LoadedModel model, LoraAdapters adapters, AdamW optimizer, int step, int epoch,
              double validationLoss) {
        Path target = dir.resolve(which);
        Path tmp = dir.resolve("." + which + ".tmp");
        Path old = dir.resolve("." + which + ".old");
        try {
            Files.createDirectories(dir);
            AtomicFiles.deleteTree(tmp);
            if (adapters != null) {
                adapters.save(tmp, model);
            } else {
                ModelSaver.save(model, tmp, false);
            }
            if (optimizer != null) {
                optimizer.save(tmp.resolve("optimizer.safetensors"));
            }
            JsonObject state = new JsonObject();
            state.addProperty("step", step);
            state.addProperty("epoch", epoch);
            if (!Double.isNaN(validationLoss)) {
                state.addProperty("validation_loss", validationLoss);
            }
            state.addProperty("format", adapters != null ? "peft-lora" : "hf");
            AtomicFiles.writeString(tmp.resolve("trainer_state.json"),
                    new GsonBuilder().setPrettyPrinting().create().toJson(state));
            AtomicFiles.syncFolder(tmp);
            existing(which); // a swap a kill interrupted is finished first
            AtomicFiles.replaceFolder(tmp, target, old, f -> false);
        } catch (IOException e) {
            throw new ScalesException(target + ": cannot write the checkpoint: " + e.getMessage(), e);
        }
    }

    /** The step a checkpoint was written after. */
    public static int step(Path checkpoint) {
        try {
            return com.google.gson.JsonParser.parseString(Files.readString(checkpoint.resolve("trainer_state.json")))
                    .getAsJsonObject().get("step").getAsInt();
        } catch (IOException | RuntimeException e) {
            throw new ScalesException(checkpoint + ": not a checkpoint (no readable trainer_state.json)", e);
        }
    }
}
