package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentCommandTest {
    @Test
    void anExperimentReadingFilesFromElsewhereIsRefusedUntilTrusted(@TempDir Path dir) throws Exception {
        Path home = Path.of("").toAbsolutePath();
        Files.writeString(dir.resolve("train.jsonl"), "{\"input\": \"x\", \"label\": \"positive\"}\n");
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path file = shared.resolve("experiment.json");
        Files.writeString(file, Files.readString(home.resolve("sample-data/experiments/sentiment.json"))
                .replace("../../assets", home.resolve("assets").toString())
                .replace("\"../sentiment/train.jsonl\"", "\"../train.jsonl\"")
                .replace("\"../sentiment/", "\"" + home.resolve("sample-data/sentiment") + "/")
                .replace("\"../general/", "\"" + home.resolve("sample-data/general") + "/"));

        Cli r = Cli.run("experiment", "run", file.toString(), "--out", dir.resolve("out").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("experiment.json: reads files outside its folder")
                .contains("task.train: " + dir.resolve("train.jsonl").toRealPath()).contains("--trust-paths");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
