package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) at a random moment while it writes checkpoints, 50 times over: every
 * time the last checkpoint left behind is whole (its model and optimizer state load) and no older
 * than one the process had finished writing.
 */
class CheckpointKillTest {
    private static final int KILLS = 50;

    @Test
    void aProcessKilledWhileWritingAlwaysLeavesALoadableCheckpoint(@TempDir Path dir) throws Exception {
        Random random = new Random(17);
        int finished = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1",
                    CheckpointWriterMain.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                    StandardCharsets.UTF_8));
            String first = out.readLine(); // one checkpoint written by this process, then a random moment
            assertThat(first).as("the writer's first line").startsWith("saved ");
            long until = System.nanoTime() + random.nextInt(400) * 1_000_000L;
            String line = first;
            while (System.nanoTime() < until && out.ready()) {
                line = out.readLine();
            }
            writer.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int written = Integer.parseInt(line.substring("saved ".length()));

            Path last = new Checkpoints(dir).last();
            int step = Checkpoints.step(last);
            assertThat(step).as("kill %d: the checkpoint's step", kill).isGreaterThanOrEqualTo(Math.max(finished, written));
            try (LoadedModel model = ModelLoader.load(last, Device.cpu());
                 AdamW optimizer = new AdamW(model.manager(), model.lm().namedParameters().values().stream()
                         .map(dev.scales.core.model.nn.HfBlock.Weight::array).toList(), i -> true, 0.9f, 0.999f,
                         1e-8f, 0.01f)) {
                optimizer.load(last.resolve("optimizer.safetensors")); // every moment, whole
            }
            finished = step;
        }
        assertThat(finished).as("checkpoints written over all the kills").isGreaterThanOrEqualTo(KILLS);
        assertThat(List.of(dir.toFile().list())).as("what the folder holds").contains("last");
    }

    @Test
    void aSwapCutBetweenItsTwoRenamesIsFinishedWhenTheCheckpointIsRead(@TempDir Path dir) throws Exception {
        // the old "last" set aside, the new one not yet in place: the moment a kill is least likely to hit
        java.nio.file.Files.createDirectories(dir.resolve(".last.old"));
        java.nio.file.Files.writeString(dir.resolve(".last.old/trainer_state.json"), "{\"step\": 3}");
        java.nio.file.Files.createDirectories(dir.resolve(".last.tmp"));

        Path last = new Checkpoints(dir).last();

        assertThat(last).isEqualTo(dir.resolve("last"));
        assertThat(Checkpoints.step(last)).isEqualTo(3);
        assertThat(dir.resolve(".last.old")).doesNotExist();
    }
}
