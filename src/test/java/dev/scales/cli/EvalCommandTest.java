package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.model.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
    @TempDir
    Path dir;

    private Path set;
    private Path test;

    @BeforeEach
    void files() throws Exception {
        set = dir.resolve("set.json");
        Files.writeString(set, "{\"version\": 1, \"template\": \"{input}:{output}\\n\", \"labels\": {\"pos\": \"P\", "
                + "\"neg\": \"N\"}, \"examples\": [{\"input\": \"good\", \"output\": \"P\"}, {\"input\": \"bad\", "
                + "\"output\": \"N\"}, {\"input\": \"fine\", \"output\": \"P\"}, {\"input\": \"grim\", \"output\": \"N\"}]}");
        test = dir.resolve("test.jsonl");
        Files.writeString(test, "{\"input\": \"nice\", \"label\": \"pos\"}\n{\"input\": \"poor\", \"label\": \"neg\"}\n"
                + "{\"input\": \"great\", \"label\": \"pos\"}\n{\"input\": \"dull\", \"label\": \"neg\"}\n");
    }

    @Test
    void anEvaluationPrintsAccuracyConfusionAndPredictions() {
        Cli r = Cli.run("eval", "--model", Golden.folder("gpt2-tiny").toString(), "--prompt-set", set.toString(),
                "--test", test.toString(), "--shots", "2", "--calibrate", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(o.get("shots").getAsInt()).isEqualTo(2);
        assertThat(o.get("accuracy").getAsDouble()).isBetween(0.0, 1.0);
        assertThat(o.getAsJsonArray("predictions")).hasSize(4);
        int total = 0;
        for (var row : o.getAsJsonArray("confusion")) {
            for (var c : row.getAsJsonArray()) {
                total += c.getAsInt();
            }
        }
        assertThat(total).isEqualTo(4);
    }

    @Test
    void aTemplateOfSeveralFieldsScoresExactlyAsTheSameTextWrittenIntoOneField() throws Exception {
        Path nliSet = dir.resolve("nli.json");
        Files.writeString(nliSet, "{\"template\": \"{premise} so {hypothesis}:{output}\\n\", \"labels\": {\"yes\": \"Y\", "
                + "\"no\": \"N\"}, \"examples\": [{\"input\": {\"premise\": \"sun\", \"hypothesis\": \"warm\"}, "
                + "\"output\": \"Y\"}, {\"input\": {\"premise\": \"rain\", \"hypothesis\": \"dry\"}, \"output\": \"N\"}]}");
        Path nli = dir.resolve("nli.csv");
        Files.writeString(nli, "premise,hypothesis,gold\nsnow,cold,1\nfire,cold,0\n");
        Path oneSet = dir.resolve("one.json");
        Files.writeString(oneSet, "{\"template\": \"{input}:{output}\\n\", \"labels\": {\"yes\": \"Y\", \"no\": \"N\"}, "
                + "\"examples\": [{\"input\": \"sun so warm\", \"output\": \"Y\"}, {\"input\": \"rain so dry\", "
                + "\"output\": \"N\"}]}");
        Path one = dir.resolve("one.jsonl");
        Files.writeString(one, "{\"input\": \"snow so cold\", \"label\": \"yes\"}\n{\"input\": \"fire so cold\", "
                + "\"label\": \"no\"}\n");
        String model = Golden.folder("gpt2-tiny").toString();

        Cli fields = Cli.run("eval", "--model", model, "--prompt-set", nliSet.toString(), "--test", nli.toString(),
                "--input-field", "premise,hypothesis", "--label-field", "gold", "--label-names", "1=yes, 0=no", "--json");
        Cli text = Cli.run("eval", "--model", model, "--prompt-set", oneSet.toString(), "--test", one.toString(), "--json");

        assertThat(fields.exitCode()).as(fields.err()).isZero();
        assertThat(text.exitCode()).as(text.err()).isZero();
        var predicted = JsonParser.parseString(fields.out().strip()).getAsJsonObject().getAsJsonArray("predictions");
        var expected = JsonParser.parseString(text.out().strip()).getAsJsonObject().getAsJsonArray("predictions");
        assertThat(predicted).hasSize(2);
        assertThat(predicted.get(0).getAsJsonObject().get("input").getAsString())
                .isEqualTo("premise: snow\nhypothesis: cold");
        for (int i = 0; i < 2; i++) {
            for (String key : new String[] {"gold", "predicted", "probabilities"}) {
                assertThat(predicted.get(i).getAsJsonObject().get(key)).as(key)
                        .isEqualTo(expected.get(i).getAsJsonObject().get(key));
            }
        }
    }

    @Test
    void chatFormatEvaluatesTheSameTaskAsAConversationAndNeedsATemplate() {
        Path folder = Golden.withChatTemplate(dir, "gpt2-tiny", "minimal");
        Cli r = Cli.run("eval", "--model", folder.toString(), "--prompt-set", set.toString(), "--test", test.toString(),
                "--shots", "2", "--chat", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(o.get("chat").getAsBoolean()).isTrue();
        assertThat(o.getAsJsonArray("predictions")).hasSize(4);

        Cli refused = Cli.run("eval", "--model", Golden.folder("gpt2-tiny").toString(), "--prompt-set", set.toString(),
                "--test", test.toString(), "--chat");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("has no chat template");
    }

    @Test
    void aFreeTextEvaluationReportsExactAndContainsMatches() throws Exception {
        // the bundled model knows where the people of its world live
        var people = new dev.scales.core.corpus.World(1).people();
        Path qa = dir.resolve("qa.json");
        Files.writeString(qa, "{\"version\": 1, \"template\": \"Q: Where does {input} live?\\nA: {output}\\n\\n\", "
                + "\"examples\": [{\"input\": \"" + people.get(0).name() + "\", \"output\": \"" + people.get(0).town()
                + "\"}]}");
        Path answers = dir.resolve("answers.jsonl");
        StringBuilder lines = new StringBuilder();
        for (var p : people.subList(1, 7)) {
            lines.append("{\"input\": \"").append(p.name()).append("\", \"answer\": \"").append(p.town()).append("\"}\n");
        }
        Files.writeString(answers, lines);

        Cli r = Cli.run("eval", "--model", dev.scales.core.AppPaths.bundledModel().toString(), "--prompt-set",
                qa.toString(), "--test", answers.toString(), "--label-field", "answer", "--free-text", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(o.get("exactMatch").getAsDouble()).as("right towns; guessing gets 1 in 12").isGreaterThanOrEqualTo(0.5);
        assertThat(o.getAsJsonArray("predictions")).hasSize(6);
        JsonObject first = o.getAsJsonArray("predictions").get(0).getAsJsonObject();
        assertThat(first.get("expected").getAsString()).isEqualTo(people.get(1).town());
        assertThat(first.has("answer")).isTrue();
    }

    @Test
    void aFreeTextTaskCannotBeSweptByLabels() {
        Cli r = Cli.run("eval", "--model", Golden.folder("gpt2-tiny").toString(), "--prompt-set", set.toString(),
                "--test", test.toString(), "--free-text", "--sweep", "0,1");

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("does not combine with --free-text");
    }

    @Test
    void aSweepGivesAMeanAndSpreadPerShotCount() {
        Cli r = Cli.run("eval", "--model", Golden.folder("gpt2-tiny").toString(), "--prompt-set", set.toString(),
                "--test", test.toString(), "--sweep", "0,1,2", "--seeds", "3", "--random-labels", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        var sweep = o.getAsJsonArray("sweep");
        assertThat(sweep).hasSize(3);
        assertThat(sweep.get(0).getAsJsonObject().getAsJsonArray("accuracies")).hasSize(1); // zero-shot: one draw
        assertThat(sweep.get(2).getAsJsonObject().getAsJsonArray("accuracies")).hasSize(3);
        assertThat(sweep.get(2).getAsJsonObject().get("std").getAsDouble()).isGreaterThanOrEqualTo(0);
        assertThat(sweep.get(2).getAsJsonObject().get("variant").getAsString()).isEqualTo("random-labels");
    }

    @Test
    void aSweepMeasuresTheSeriesAsked() {
        Cli r = Cli.run("eval", "--model", Golden.folder("gpt2-tiny").toString(), "--prompt-set", set.toString(),
                "--test", test.toString(), "--sweep", "0,2", "--seeds", "2", "--variants", "gold,calibrated", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();

        var sweep = o.getAsJsonArray("sweep");
        assertThat(sweep).hasSize(4);
        assertThat(sweep.asList()).extracting(e -> e.getAsJsonObject().get("variant").getAsString())
                .containsExactly("gold", "calibrated", "gold", "calibrated");
    }

    @Test
    void aSweepStopsWithANoteWhereThePromptNoLongerFits() throws Exception {
        StringBuilder many = new StringBuilder("{\"template\": \"{input}:{output}\\n\", \"labels\": {\"pos\": \"P\", "
                + "\"neg\": \"N\"}, \"examples\": [");
        for (int i = 0; i < 40; i++) {
            many.append(i == 0 ? "" : ",").append("{\"input\": \"example number ").append(i).append("\", \"output\": \"")
                    .append(i % 2 == 0 ? "P" : "N").append("\"}");
        }
        Files.writeString(set, many.append("]}").toString());

        Cli r = Cli.run("eval", "--model", Golden.folder("gpt2-tiny").toString(), "--prompt-set", set.toString(),
                "--test", test.toString(), "--sweep", "0,1,16", "--seeds", "1", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(o.getAsJsonArray("sweep")).hasSize(2);
        assertThat(o.get("note").getAsString()).startsWith("k = 16 does not fit the context");
    }
}
