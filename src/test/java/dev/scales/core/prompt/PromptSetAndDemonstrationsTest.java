package dev.scales.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptSetAndDemonstrationsTest {
    @TempDir
    Path dir;

    static final List<Example> POOL = List.of(new Example("a", "pos"), new Example("b", "pos"),
            new Example("c", "pos"), new Example("d", "neg"), new Example("e", "neg"), new Example("off", "neg", false));

    @Test
    void aPromptSetSurvivesSavingAndLoading() throws Exception {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("pos", " positive");
        v.put("neg", " negative");
        PromptSet set = new PromptSet("Classify.", new PromptTemplate("Review: {input}\nSentiment:{output}\n\n"),
                new LabelSet(v), POOL);
        Path f = dir.resolve("set.json");

        set.write(f);

        assertThat(PromptSet.read(f)).isEqualTo(set);
        assertThat(Files.readString(f)).contains("\"version\": 1");
    }

    @Test
    void examplesOfSeveralFieldsAreSavedAsObjectsOfTheirFields() throws Exception {
        PromptSet set = new PromptSet("", new PromptTemplate("P: {premise}\nH: {hypothesis}\nA: {output}\n\n"), null,
                List.of(new Example("premise: It rains.\nhypothesis: It is dry.", "no"),
                        new Example("typed without fields", "yes", false)));
        Path f = dir.resolve("nli.json");

        set.write(f);

        com.google.gson.JsonArray saved = com.google.gson.JsonParser.parseString(Files.readString(f)).getAsJsonObject()
                .getAsJsonArray("examples");
        assertThat(saved.get(0).getAsJsonObject().getAsJsonObject("input").get("hypothesis").getAsString())
                .isEqualTo("It is dry.");
        assertThat(saved.get(1).getAsJsonObject().get("input").getAsString()).isEqualTo("typed without fields");
        assertThat(PromptSet.read(f)).isEqualTo(set);
    }

    @Test
    void malformedPromptSetsNameTheFileAndWhat() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"examples\": []}");
        assertThatThrownBy(() -> PromptSet.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("missing \"template\"");

        Files.writeString(f, "{\"template\": \"{input}{output}\", \"examples\": [{\"input\": \"x\"}]}");
        assertThatThrownBy(() -> PromptSet.read(f)).hasMessageContaining("example 1 needs \"input\" and \"output\"");

        Files.writeString(f, "{\"version\": 9, \"template\": \"{input}{output}\"}");
        assertThatThrownBy(() -> PromptSet.read(f)).hasMessageContaining("version 9 is newer");
    }

    @Test
    void choosingIsReproducibleAndSkipsDisabledExamples() {
        var first = Demonstrations.choose(POOL, 3, Demonstrations.Choice.FIRST, false, 0, null);
        var randomA = Demonstrations.choose(POOL, 3, Demonstrations.Choice.RANDOM, true, 5, null);
        var randomB = Demonstrations.choose(POOL, 3, Demonstrations.Choice.RANDOM, true, 5, null);

        assertThat(first).extracting(Example::input).containsExactly("a", "b", "c");
        assertThat(randomA).isEqualTo(randomB);
        assertThat(Demonstrations.choose(POOL, 10, Demonstrations.Choice.RANDOM, true, 1, null))
                .hasSize(5).extracting(Example::input).doesNotContain("off");
    }

    @Test
    void balancedChoiceTakesLabelsInTurn() {
        var four = Demonstrations.choose(POOL, 4, Demonstrations.Choice.BALANCED, false, 3, null);

        assertThat(four).extracting(Example::output).containsExactly("pos", "neg", "pos", "neg");
    }

    @Test
    void randomLabelsKeepTheInputsAndDrawLabelsReproducibly() {
        var a = Demonstrations.withRandomLabels(POOL.subList(0, 5), List.of("pos", "neg"), 2);
        var b = Demonstrations.withRandomLabels(POOL.subList(0, 5), List.of("pos", "neg"), 2);

        assertThat(a).isEqualTo(b);
        assertThat(a).extracting(Example::input).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void randomLabelDrawsDifferFromSeedToSeedEvenForOneDemonstration() {
        java.util.Set<String> firstLabels = new java.util.HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            firstLabels.add(Demonstrations.withRandomLabels(POOL.subList(0, 1), List.of("pos", "neg"), seed).get(0)
                    .output());
        }
        assertThat(firstLabels).containsExactlyInAnyOrder("pos", "neg");
    }
}
