package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import dev.scales.core.model.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir
    Path root;

    private static final FineTuneSettings SETTINGS = new FineTuneSettings(new LoraConfig(4, 8, 0.05f,
            List.of("q_proj", "v_proj")), 1e-3f, 1, 30, 4, 0.1f, true, 0.01f, 1f, 7, 10, 0.1);
    private static final List<TrainingExample> DATA = List.of(
            new TrainingExample(1, "Review: warm\nSentiment:", " positive\n\n",
                    new TrainingExample.Label("positive", " positive")),
            new TrainingExample(2, "", "plain text"));

    @Test
    void aRunKeepsWhatItTrainsWithSoItCanBeOpenedAgain() {
        RunFolder run = RunFolder.create(root, "#1 LoRA r4 · lr 0.001", Path.of("models/tiny"), SETTINGS, DATA);

        RunFolder again = RunFolder.open(run.dir());

        assertThat(run.dir().getFileName().toString()).endsWith("-1-LoRA-r4-lr-0.001");
        assertThat(again.name()).isEqualTo("#1 LoRA r4 · lr 0.001");
        assertThat(again.model()).isEqualTo(Path.of("models/tiny").toAbsolutePath());
        assertThat(again.settings()).isEqualTo(SETTINGS);
        assertThat(again.data()).isEqualTo(DATA);
        assertThat(again.resumableStep()).isZero();
    }

    @Test
    void theCurveComesBackUpToTheCheckpointAndALineCutShortIsLeftOut() throws Exception {
        RunFolder run = RunFolder.create(root, "run", Path.of("m"), SETTINGS, DATA);
        for (int step = 1; step <= 12; step++) {
            run.append(new TrainingEvent.Step(step, 30, 0, 1f / step, 1e-3f, Double.NaN, 100, step * 10L, 0));
        }
        run.append(new TrainingEvent.Evaluation(10, 0.5, Double.NaN));
        run.append(new TrainingEvent.Finished(12, TrainingEvent.Outcome.STOPPED, "stopped", 0.5));
        Files.writeString(run.dir().resolve("events.jsonl"), "{\"type\": \"step\", \"step\": 13, \"trainLo",
                java.nio.file.StandardOpenOption.APPEND);

        List<TrainingEvent> curve = run.curveUpTo(10);

        assertThat(curve).hasSize(11).last().isEqualTo(new TrainingEvent.Evaluation(10, 0.5, Double.NaN));
        assertThat(curve.get(0)).isEqualTo(new TrainingEvent.Step(1, 30, 0, 1f, 1e-3f, Double.NaN, 100, 10, 0));
        assertThat(RunFolder.open(run.dir()).curveUpTo(30)).as("the file now holds that curve").isEqualTo(curve);
    }

    @Test
    void aFolderThatIsNotARunIsNamed() throws Exception {
        assertThatThrownBy(() -> RunFolder.open(root)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("not a Scales run folder").hasMessageContaining("run.json");
        Files.writeString(root.resolve("run.json"), "{\"version\": 1}");
        Files.writeString(root.resolve("data.jsonl"), "");
        assertThatThrownBy(() -> RunFolder.open(root)).hasMessageContaining("no model or settings");
    }
}
