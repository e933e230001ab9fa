package dev.scales.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {
    @TempDir
    Path dir;

    @Test
    void theSampleExperimentsReadAndPointAtTheBundledFiles() {
        Experiment e = Experiment.read(Path.of("sample-data/experiments/sentiment.json"));
        assertThat(e.model()).isEqualTo(Path.of("assets/models/scales-tiny").toAbsolutePath());
        assertThat(e.test()).isEqualTo(Path.of("sample-data/sentiment/test.jsonl").toAbsolutePath());
        assertThat(e.generalText()).exists();
        assertThat(e.fineTune().lora()).isTrue();
        assertThat(e.labelled()).containsExactly(1, 2, 4, 8, 16, 32, 64);
        for (String name : List.of("topic", "novel")) {
            assertThat(Experiment.read(Path.of("sample-data/experiments/" + name + ".json")).promptSet()).exists();
        }
    }

    @Test
    void writingAndReadingBackKeepsEveryFieldWithRelativePaths() throws IOException {
        Experiment e = Experiment.read(Path.of("sample-data/experiments/novel.json"));
        Path copy = dir.resolve("sub/copy.json");
        Files.createDirectories(copy.getParent());
        e.write(copy);
        assertThat(Experiment.read(copy)).isEqualTo(e);
        assertThat(Files.readString(copy)).doesNotContain(dir.toString()).contains("\"version\": 1");
    }

    @Test
    void fieldsALabelMapAndChatFormatAreReadWrittenAndUsedForTheTaskFiles() throws IOException {
        Files.writeString(dir.resolve("train.csv"), "sentence,gold\ngreat,1\ndull,0\n");
        String json = Files.readString(Path.of("sample-data/experiments/sentiment.json")).replace(
                "\"test\": \"../sentiment/test.jsonl\",", "\"test\": \"../sentiment/test.jsonl\", \"fields\": "
                        + "{\"input\": \"sentence\", \"label\": \"gold\", \"labels\": {\"0\": \"negative\", "
                        + "\"1\": \"positive\"}},").replace("\"shots\": 8", "\"shots\": 8, \"chat\": true");
        Path file = Path.of("sample-data/experiments").toAbsolutePath().resolve("mapped-" + System.nanoTime() + ".json");
        try {
            Files.writeString(file, json);
            Experiment e = Experiment.read(file);
            assertThat(e.fields().input()).isEqualTo("sentence");
            assertThat(e.fields().labelNames()).containsEntry("1", "positive");
            assertThat(e.chat()).isTrue();
            Path copy = dir.resolve("copy.json");
            e.write(copy);
            assertThat(Experiment.read(copy)).isEqualTo(e);
            assertThat(Lab.items(dir.resolve("train.csv"), e.fields()))
                    .extracting(dev.scales.core.corpus.SampleTasks.Item::label).containsExactly("positive", "negative");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void severalInputFieldsAreAListInTheFile() throws IOException {
        Files.writeString(dir.resolve("train.jsonl"), "{\"premise\": \"It rains.\", \"hypothesis\": \"It is dry.\", "
                + "\"label\": \"no\"}\n");
        String json = Files.readString(Path.of("sample-data/experiments/sentiment.json")).replace(
                "\"test\": \"../sentiment/test.jsonl\",", "\"test\": \"../sentiment/test.jsonl\", \"fields\": "
                        + "{\"input\": [\"premise\", \"hypothesis\"]},");
        Path file = Path.of("sample-data/experiments").toAbsolutePath().resolve("nli-" + System.nanoTime() + ".json");
        try {
            Files.writeString(file, json);
            Experiment e = Experiment.read(file);
            assertThat(e.fields().inputs()).containsExactly("premise", "hypothesis");
            Path copy = dir.resolve("copy.json");
            e.write(copy);
            assertThat(Files.readString(copy)).contains("\"premise\",");
            assertThat(Experiment.read(copy)).isEqualTo(e);
            assertThat(Lab.items(dir.resolve("train.jsonl"), e.fields()))
                    .extracting(dev.scales.core.corpus.SampleTasks.Item::input)
                    .containsExactly("premise: It rains.\nhypothesis: It is dry.");
            assertThat(error(json.replace("[\"premise\", \"hypothesis\"]", "[\"premise\", 3]")))
                    .contains("\"task.fields.input\" must list field names");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void filesOutsideTheExperimentsFolderAndScalesOwnAreListedLinksFollowed() throws IOException {
        assertThat(Experiment.read(Path.of("sample-data/experiments/sentiment.json"))
                .outside(Path.of("sample-data/experiments/sentiment.json"))).as("the bundled model and sample data")
                .isEmpty();

        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("secret.jsonl"), "{}\n");
        Files.createSymbolicLink(shared.resolve("test.jsonl"), elsewhere.resolve("secret.jsonl"));
        Path home = Path.of("").toAbsolutePath();
        String json = Files.readString(Path.of("sample-data/experiments/sentiment.json"))
                .replace("../../assets/models/scales-tiny", home.resolve("assets/models/scales-tiny").toString())
                .replace("\"../sentiment/train.jsonl\"", "\"../elsewhere/secret.jsonl\"")
                .replace("\"../sentiment/test.jsonl\"", "\"test.jsonl\"")
                .replace("\"../sentiment/prompt-set.json\"", "\"" + home.resolve("sample-data/sentiment/prompt-set.json")
                        + "\"")
                .replace("\"../general/held-out.txt\"", "\"" + home.resolve("sample-data/general/held-out.txt") + "\"");
        Path file = shared.resolve("experiment.json");
        Files.writeString(file, json);

        List<String> outside = Experiment.read(file).outside(file);

        assertThat(outside).containsExactly("task.train: " + elsewhere.resolve("secret.jsonl").toRealPath(),
                "task.test: " + elsewhere.resolve("secret.jsonl").toRealPath());
    }

    @Test
    void aWrongFieldIsNamedWithItsPath() throws IOException {
        String good = Files.readString(Path.of("sample-data/experiments/sentiment.json"));
        assertThat(error(good.replace("\"steps\": 100", "\"steps\": 0")))
                .contains("\"fineTune.steps\" must be between 1");
        assertThat(error(good.replace("\"method\": \"lora\"", "\"method\": \"adapter\"")))
                .contains("\"fineTune.method\" must be \"lora\" or \"full\"");
        assertThat(error(good.replace("\"shots\": 8", "\"shots\": \"eight\""))).contains("\"fewShot.shots\" must be a number");
        assertThat(error(good.replace("\"test\": \"../sentiment/test.jsonl\",", ""))).contains("\"task.test\" is missing");
        assertThat(error(good.replace("\"version\": 1", "\"version\": 7"))).contains("newer than this Scales reads");
        assertThat(error(good.replace("[1, 2, 4", "[0, 2, 4"))).contains("\"labelled[0]\" must be a positive");
        assertThat(error("{\"schema\": \"other\"}")).contains("\"schema\" must be \"scales-experiment\"");
        assertThat(error("[1, 2")).contains("not valid JSON");
    }

    private String error(String json) throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, json);
        try {
            Experiment.read(f);
        } catch (ScalesException e) {
            assertThat(e.getMessage()).startsWith(f.toString());
            return e.getMessage();
        }
        throw new AssertionError("no error for " + json);
    }
}
