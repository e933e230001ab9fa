package dev.scales.ui;

import dev.scales.core.data.LabelledData;
import dev.scales.core.eval.FewShotEvaluator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.prompt.Example;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.prompt.PromptViewModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptViewModelTest {
    @TempDir
    Path dir;

    private final ModelManager manager = new ModelManager();
    private final PromptViewModel vm = new PromptViewModel(manager, UiThread.DIRECT);

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aModelsGenerationConfigGivesTheSamplingDefaultsUntilTheUserChangesThem() throws Exception {
        Path sampling = dev.scales.core.model.Golden.withChatTemplate(dir, "gpt2-tiny", "minimal");
        Files.writeString(sampling.resolve("generation_config.json"), "{\"do_sample\": true, \"temperature\": 0.7, "
                + "\"top_k\": 20, \"top_p\": 0.8, \"repetition_penalty\": 1.05}");

        manager.load(sampling, "cpu").join();
        var s = vm.samplingSettings();
        assertThat(s.temperature()).isEqualTo(0.7);
        assertThat(s.topK()).isEqualTo(20);
        assertThat(s.topP()).isEqualTo(0.8);
        assertThat(s.repetitionPenalty()).isEqualTo(1.05);

        // a greedy model brings its greedy defaults back ...
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
        assertThat(vm.samplingSettings().temperature()).isZero();
        // ... but what the user set stays
        vm.temperatureProperty().set(1.3);
        manager.load(sampling, "cpu").join();
        assertThat(vm.samplingSettings().temperature()).isEqualTo(1.3);
    }

    @Test
    void aSavedPromptSetOpensToTheSamePrompt() {
        Path file = dir.resolve("set.json");
        String before = vm.previewProperty().get();
        vm.savePromptSet(file);
        vm.instructionProperty().set("something else");
        vm.examples().clear();

        vm.openPromptSet(file);

        assertThat(vm.previewProperty().get()).isEqualTo(before);
        assertThat(vm.evaluationStatusProperty().get()).isEqualTo("opened set.json");
    }

    @Test
    void importedRowsArriveShownAndBadFilesAreNamed() throws Exception {
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"input\": \"warm\", \"label\": \"positive\"}\n{\"input\": \"cold\", \"label\": "
                + "\"negative\"}\n{\"oops\": 1}\n");
        int before = vm.examples().size();
        String preview = vm.previewProperty().get();

        vm.importExamples(data);

        assertThat(vm.examples()).hasSize(before + 2);
        assertThat(vm.examples().get(before).toExample()).isEqualTo(new Example("warm", "positive", true));
        assertThat(vm.previewProperty().get()).isNotEqualTo(preview).contains("warm");
        assertThat(vm.evaluationStatusProperty().get()).contains("imported 2 examples from train.jsonl (all shown)")
                .contains("train.jsonl:3");

        vm.enableAll(false);
        assertThat(vm.examples()).noneMatch(r -> r.enabledProperty().get());
        vm.enableAll(true);
        assertThat(vm.examples()).allMatch(r -> r.enabledProperty().get());

        Files.writeString(dir.resolve("broken.json"), "{\"template\": 3");
        vm.openPromptSet(dir.resolve("broken.json"));
        assertThat(vm.evaluationStatusProperty().get()).contains("broken.json");
    }

    @Test
    void samplingSettingsOutOfRangeAreShownAndNothingRuns() {
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
        vm.setPrompt(new dev.scales.core.prompt.FewShotPrompt("", java.util.List.of(new Example("good", "pos")), "bad",
                new dev.scales.core.prompt.PromptTemplate("{input}={output}\n")));
        assertThat(vm.runBlockedReasonProperty().get()).isEmpty();

        vm.temperatureProperty().set(-1.0);
        vm.run();

        assertThat(vm.samplingErrorProperty().get()).contains("temperature must be within [0, 100]");
        assertThat(vm.runningProperty().get()).isFalse();
        assertThat(vm.samplingItems()).extracting(i -> i.getName()).contains("Temperature", "Top-p", "Seed", "Stop at");
    }

    private void awaitIdle() throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (vm.runningProperty().get() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(vm.runningProperty().get()).as("the job finished").isFalse();
    }

    @Test
    void aTestSetOfDistinctAnswersIsEvaluatedAsFreeText() throws Exception {
        // given the bundled model, which knows where the people of its world live
        manager.load(dev.scales.core.AppPaths.bundledModel(), "cpu").join();
        var people = new dev.scales.core.corpus.World(1).people();
        vm.setPrompt(new dev.scales.core.prompt.FewShotPrompt("", java.util.List.of(new Example(people.get(0).name(),
                people.get(0).town())), "", new dev.scales.core.prompt.PromptTemplate("Q: Where does {input} live?\nA: {output}\n\n")));
        Path answers = dir.resolve("towns.csv");
        StringBuilder csv = new StringBuilder("question,answer\n");
        people.subList(1, 9).forEach(p -> csv.append(p.name()).append(',').append(p.town()).append('\n'));
        Files.writeString(answers, csv);

        vm.evaluate(answers); // question and answer are recognised as the input and the label
        awaitIdle();

        assertThat(vm.evaluationStatusProperty().get()).startsWith("free text, 1-shot · exact match ")
                .endsWith("· 8 examples · on scales-tiny · base weights");
        assertThat(vm.predictions()).hasSize(8);
        assertThat(vm.predictions().stream().filter(FewShotEvaluator.Prediction::correct).count())
                .as("right towns; guessing gets 1 in 12").isGreaterThanOrEqualTo(4);
        assertThat(vm.metricsProperty().get()).isNull();

        vm.sweep(answers);
        assertThat(vm.evaluationStatusProperty().get()).contains("free-text task");
    }

    @Test
    void fieldsWhoseNamesSayNothingAreAskedForThenRead() throws Exception {
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
        vm.setPrompt(new dev.scales.core.prompt.FewShotPrompt("", java.util.List.of(new Example("good", "pos")), "",
                new dev.scales.core.prompt.PromptTemplate("{input}={output}\n")));
        Path data = dir.resolve("odd.jsonl");
        Files.writeString(data, "{\"a\": \"nice\", \"b\": \"pos\"}\n{\"a\": \"poor\", \"b\": \"neg\"}\n");
        java.util.List<String> names = new java.util.ArrayList<>();
        vm.fieldsOf(data, names::addAll);
        assertThat(names).containsExactly("a", "b");
        assertThat(vm.recognisedFields(names)).isEmpty();

        vm.evaluate(data);
        assertThat(vm.evaluationStatusProperty().get()).isEqualTo("odd.jsonl: which fields hold the input and the "
                + "label? It has [a, b]; choose them when opening the file.");

        vm.evaluate(data, new LabelledData.Fields("a", "b"));
        awaitIdle();
        assertThat(vm.evaluationStatusProperty().get()).startsWith("1-shot · accuracy");
        assertThat(vm.predictions()).extracting(FewShotEvaluator.Prediction::gold).containsExactly("pos", "neg");
    }

    @Test
    void aTemplateOfSeveralFieldsTakesThemFromTheDataByName() throws Exception {
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
        vm.examples().clear();
        vm.instructionProperty().set("");
        vm.templateProperty().set("P: {premise}\nH: {hypothesis}\nA: {output}\n\n");
        vm.queryProperty().set("premise: snow\nhypothesis: cold");
        Path data = dir.resolve("nli.jsonl");
        Files.writeString(data, "{\"id\": 1, \"premise\": \"sun\", \"hypothesis\": \"warm\", \"label\": \"yes\"}\n"
                + "{\"id\": 2, \"premise\": \"rain\", \"hypothesis\": \"dry\", \"label\": \"no\"}\n");

        assertThat(vm.recognisedFields(LabelledData.fields(data)))
                .contains(new LabelledData.Fields("premise, hypothesis", "label"));
        vm.importExamples(data);
        vm.examples().forEach(r -> r.enabledProperty().set(true));

        assertThat(vm.templateErrorProperty().get()).isEmpty();
        assertThat(vm.previewProperty().get()).isEqualTo("P: sun\nH: warm\nA: yes\n\nP: rain\nH: dry\nA: no\n\n"
                + "P: snow\nH: cold\nA:");

        vm.queryProperty().set("snow and cold");
        assertThat(vm.templateErrorProperty().get()).contains("no \"premise:\" line");

        vm.queryProperty().set("premise: snow\nhypothesis: cold");
        vm.evaluate(data);
        awaitIdle();
        assertThat(vm.evaluationStatusProperty().get()).startsWith("2-shot · accuracy");
        assertThat(vm.predictions()).extracting(FewShotEvaluator.Prediction::input)
                .containsExactly("premise: sun\nhypothesis: warm", "premise: rain\nhypothesis: dry");
    }

    @Test
    void everyAnswerEvaluationAndSweepNamesTheWeightsItRanOn() throws Exception {
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
        vm.setPrompt(new dev.scales.core.prompt.FewShotPrompt("", java.util.List.of(new Example("good", "pos"),
                new Example("bad", "neg")), "nice", new dev.scales.core.prompt.PromptTemplate("{input}={output}\n")));
        Path data = dir.resolve("test.jsonl");
        Files.writeString(data, "{\"input\": \"nice\", \"label\": \"pos\"}\n{\"input\": \"poor\", \"label\": \"neg\"}\n");

        vm.evaluate(data);
        awaitIdle();
        assertThat(vm.evaluationStatusProperty().get()).contains(" · on gpt2-tiny · base weights");

        // after a LoRA fine-tune the prompts run on its adapters: every figure says so
        manager.submit(m -> manager.addVariant("#1 LoRA r2", dev.scales.core.model.LoraAdapters.attach(m,
                new dev.scales.core.model.LoraConfig(2, 2, 0, java.util.List.of("c_attn")), 1))).join();

        vm.run();
        long end = System.nanoTime() + 60_000_000_000L;
        while (!vm.runStatusProperty().get().contains("tokens") && System.nanoTime() < end) {
            Thread.sleep(20); // the worker reports the end (running off) just before the answer's status line
        }
        assertThat(vm.runStatusProperty().get()).endsWith(" · on gpt2-tiny · #1 LoRA r2");
        assertThat(vm.runWeightsProperty().get()).isEqualTo("gpt2-tiny · #1 LoRA r2");
        vm.evaluate(data);
        awaitIdle();
        assertThat(vm.evaluationStatusProperty().get()).contains(" · on gpt2-tiny · #1 LoRA r2");
        vm.sweep(data);
        awaitIdle();
        assertThat(vm.evaluationStatusProperty().get()).contains(" · on gpt2-tiny · #1 LoRA r2");
        assertThat(vm.sweepWeightsProperty().get()).isEqualTo("gpt2-tiny · #1 LoRA r2");
    }

    @Test
    void importedExamplesAreShownAsFarAsTheModelsContextGoes() throws Exception {
        manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join(); // reads 128 tokens
        vm.setPrompt(new dev.scales.core.prompt.FewShotPrompt("", java.util.List.of(), "nice",
                new dev.scales.core.prompt.PromptTemplate("{input}={output}\n")));
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            rows.append("{\"input\": \"a rather long review number ").append(i).append("\", \"label\": \"")
                    .append(i % 2 == 0 ? "pos" : "neg").append("\"}\n");
        }
        Path data = dir.resolve("many.jsonl");
        Files.writeString(data, rows.toString());

        vm.importExamples(data);

        long shown = vm.examples().stream().filter(r -> r.enabledProperty().get()).count();
        assertThat(vm.examples()).hasSize(60);
        assertThat(shown).isBetween(1L, 59L);
        assertThat(vm.examples().subList(0, (int) shown)).allMatch(r -> r.enabledProperty().get());
        assertThat(vm.overContextProperty().get()).isFalse();
        assertThat(vm.evaluationStatusProperty().get()).contains(shown + " shown: as many as fit gpt2-tiny's context");
    }
}
