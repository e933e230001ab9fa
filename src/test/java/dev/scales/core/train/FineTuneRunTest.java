package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.PromptTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FineTuneRunTest {
    private static final PromptTemplate TEMPLATE = new PromptTemplate("{input}={output}\n");

    private static List<TrainingExample> examples() {
        List<TrainingExample> list = new ArrayList<>();
        String[][] rows = {{"good", "pos"}, {"bad", "neg"}, {"fine", "pos"}, {"awful", "neg"}, {"nice", "pos"},
            {"poor", "neg"}, {"great", "pos"}, {"dull", "neg"}, {"lovely", "pos"}, {"grim", "neg"}};
        for (int i = 0; i < rows.length; i++) {
            list.add(new TrainingExample(i + 1, TEMPLATE.renderQuery(rows[i][0]), rows[i][1] + "\n"));
        }
        return list;
    }

    private static FineTuneSettings settings(LoraConfig lora, int maxSteps, float lr) {
        return new FineTuneSettings(lora, lr, 1, maxSteps, 4, 0.1f, true, 0.01f, 1.0f, 7, 5, 0.2);
    }

    @Test
    void fullFineTuningReportsEveryStepAndLowersTheLoss() {
        List<TrainingEvent> events = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(), settings(null, 20, 1e-2f), events::add,
                    () -> false);

            List<TrainingEvent.Step> steps = events.stream().filter(TrainingEvent.Step.class::isInstance)
                    .map(TrainingEvent.Step.class::cast).toList();
            List<TrainingEvent.Evaluation> evals = events.stream().filter(TrainingEvent.Evaluation.class::isInstance)
                    .map(TrainingEvent.Evaluation.class::cast).toList();
            assertThat(steps).extracting(TrainingEvent.Step::step).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
            assertThat(steps.get(19).trainLoss()).isLessThan(steps.get(0).trainLoss());
            assertThat(evals).extracting(TrainingEvent.Evaluation::step).containsExactly(5, 10, 15, 20);
            assertThat(evals).allSatisfy(e -> assertThat(e.validationLoss()).isFinite().isPositive());
            assertThat(out.finished().outcome()).isEqualTo(TrainingEvent.Outcome.DONE);
            assertThat(events.get(events.size() - 1)).isEqualTo(out.finished());
            assertThat(out.adapters()).isNull();
        }
    }

    @Test
    void theBestAndTheLastCheckpointAreWrittenWholeAndLoad(@TempDir Path dir) throws Exception {
        Checkpoints checkpoints = new Checkpoints(dir);
        List<Double> validation = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneRun.run(model, examples(), settings(null, 10, 1e-2f), e -> {
                if (e instanceof TrainingEvent.Evaluation v) {
                    validation.add(v.validationLoss());
                }
            }, FineTuneRun.Control.stopWhen(() -> false).checkpoints(checkpoints));
        }

        var bestState = com.google.gson.JsonParser.parseString(
                Files.readString(checkpoints.best().resolve("trainer_state.json"))).getAsJsonObject();
        assertThat(bestState.get("validation_loss").getAsDouble())
                .isEqualTo(validation.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
        var lastState = com.google.gson.JsonParser.parseString(
                Files.readString(checkpoints.last().resolve("trainer_state.json"))).getAsJsonObject();
        assertThat(lastState.get("step").getAsInt()).isEqualTo(10);
        try (LoadedModel best = ModelLoader.load(checkpoints.best(), Device.cpu());
             LoadedModel last = ModelLoader.load(checkpoints.last(), Device.cpu())) {
            assertThat(best.config().modelType()).isEqualTo("gpt2");
            assertThat(last.config().modelType()).isEqualTo("gpt2");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("best", "last");
        }
    }

    @Test
    void aLabelledDatasetAlsoReportsValidationAccuracyWhichRisesAsTheModelLearns() {
        // given the sample sentiment task written through its prompt set's template, on the bundled model
        Path dir = Path.of("sample-data", "sentiment");
        var set = dev.scales.core.prompt.PromptSet.read(dir.resolve("prompt-set.json"));
        List<TrainingExample> data = TrainingData.read(dir.resolve("train.jsonl"),
                new TrainingData.Format(set.instruction(), set.template())).examples();
        assertThat(data.get(0).prompt()).startsWith("Answer with positive or negative.\n\nReview: ");
        assertThat(data).allSatisfy(e -> assertThat(e.label()).isNotNull());
        FineTuneSettings s = new FineTuneSettings(new LoraConfig(8, 16f, 0f,
                LoraConfig.defaultTargets(dev.scales.core.model.Architecture.LLAMA)), 5e-4f, 1, 20, 8, 0.1f, false, 0f,
                1.0f, 3, 5, 0.25);
        List<TrainingEvent.Evaluation> evals = new ArrayList<>();

        try (LoadedModel model = ModelLoader.load(dev.scales.core.AppPaths.bundledModel(), Device.cpu())) {
            var out = FineTuneRun.run(model, data, s, e -> {
                if (e instanceof TrainingEvent.Evaluation v) {
                    evals.add(v);
                }
            }, () -> false);
            out.adapters().close();
        }

        assertThat(evals).extracting(TrainingEvent.Evaluation::step).containsExactly(5, 10, 15, 20);
        assertThat(evals.get(3).validationAccuracy()).isGreaterThanOrEqualTo(0.9)
                .isGreaterThan(evals.get(0).validationAccuracy());
        // and unlabelled text has no accuracy to report
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            List<Double> acc = new ArrayList<>();
            FineTuneRun.run(model, examples(), settings(null, 5, 1e-2f), e -> {
                if (e instanceof TrainingEvent.Evaluation v) {
                    acc.add(v.validationAccuracy());
                }
            }, () -> false);
            assertThat(acc).isNotEmpty().allSatisfy(a -> assertThat(a).isNaN());
        }
    }

    @Test
    void accumulatingTwoMicroBatchesOfTwoFollowsTheCurveOfBatchesOfFour() {
        // batch 4 without accumulation vs batch 2 × 2 micro-batches: the same examples per step
        FineTuneSettings four = settings(null, 8, 1e-2f);
        FineTuneSettings twoByTwo = new FineTuneSettings(null, 1e-2f, 1, 8, 2, 0.1f, true, 0.01f, 1.0f, 7, 5, 0.2)
                .withAccumulation(2);
        List<Float> a = losses(four);
        List<Float> b = losses(twoByTwo);

        assertThat(b).hasSize(8);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i)).as("step " + (i + 1)).isCloseTo(a.get(i), org.assertj.core.api.Assertions.within(1e-4f));
        }
        assertThat(b.get(7)).isLessThan(b.get(0));
    }

    private static List<Float> losses(FineTuneSettings s) {
        return steps(s, () -> false).stream().map(TrainingEvent.Step::trainLoss).toList();
    }

    private static List<TrainingEvent.Step> steps(FineTuneSettings s, java.util.function.BooleanSupplier stop) {
        List<TrainingEvent.Step> out = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneRun.run(model, examples(), s, e -> {
                if (e instanceof TrainingEvent.Step st) {
                    out.add(st);
                }
            }, stop);
        }
        return out;
    }

    @Test
    void reportingEveryFiveStepsGivesTheMeanLossOfEachIntervalOfTheSameCurve() {
        List<TrainingEvent.Step> every = steps(settings(null, 20, 1e-2f), () -> false);
        List<TrainingEvent.Step> fives = steps(settings(null, 20, 1e-2f).withLogEvery(5), () -> false);

        // the loss stays on the device between reports; clipping and the update happen there too
        assertThat(fives).extracting(TrainingEvent.Step::step).containsExactly(5, 10, 15, 20);
        for (TrainingEvent.Step f : fives) {
            double mean = every.subList(f.step() - 5, f.step()).stream().mapToDouble(TrainingEvent.Step::trainLoss)
                    .average().orElseThrow();
            assertThat((double) f.trainLoss()).as("step " + f.step()).isCloseTo(mean,
                    org.assertj.core.api.Assertions.within(1e-4));
            assertThat(f.gradNorm()).as("norm at step " + f.step()).isCloseTo(every.get(f.step() - 1).gradNorm(),
                    org.assertj.core.api.Assertions.withinPercentage(0.1));
        }
    }

    @Test
    void aRunStoppedBetweenReportsReportsTheStepsSinceTheLastOne() {
        AtomicInteger checks = new AtomicInteger();
        List<TrainingEvent.Step> steps = steps(settings(null, 20, 1e-3f).withLogEvery(5),
                () -> checks.incrementAndGet() > 7);

        assertThat(steps).extracting(TrainingEvent.Step::step).containsExactly(5, 7);
        assertThat(steps.get(1).trainLoss()).isFinite();
    }

    @Test
    void aPausedRunWaitsBetweenStepsStillServingOtherJobsThenGoesOn() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            Thread run = new Thread(() -> FineTuneRun.run(model, examples(), settings(null, 3, 1e-2f), e -> {
                if (e instanceof TrainingEvent.Step) {
                    steps.incrementAndGet();
                }
            }, FineTuneRun.Control.stopWhen(() -> false).pausedWhen(paused::get).betweenSteps(served::incrementAndGet)));
            run.start();
            while (served.get() < 5) {
                Thread.sleep(10);
            }
            assertThat(steps.get()).as("no step while paused").isZero();

            paused.set(false);
            run.join(60_000);

            assertThat(steps.get()).isEqualTo(3);
        }
    }

    @Test
    void aResumedRunContinuesTheSameLossCurve(@TempDir Path dir) {
        FineTuneSettings s = settings(null, 10, 1e-2f);
        List<Float> straight = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneRun.run(model, examples(), s, e -> {
                if (e instanceof TrainingEvent.Step st) {
                    straight.add(st.trainLoss());
                }
            }, () -> false);
        }

        Checkpoints checkpoints = new Checkpoints(dir);
        AtomicInteger done = new AtomicInteger();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneRun.run(model, examples(), s, e -> {
                if (e instanceof TrainingEvent.Step) {
                    done.incrementAndGet();
                }
            }, FineTuneRun.Control.stopWhen(() -> done.get() >= 5).checkpoints(checkpoints));
        }
        List<TrainingEvent.Step> resumed = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(checkpoints.last(), Device.cpu())) {
            FineTuneRun.run(model, examples(), s, e -> {
                if (e instanceof TrainingEvent.Step st) {
                    resumed.add(st);
                }
            }, FineTuneRun.Control.stopWhen(() -> false).resumeFrom(checkpoints.last()));
        }

        assertThat(resumed).extracting(TrainingEvent.Step::step).containsExactly(6, 7, 8, 9, 10);
        for (int i = 0; i < 5; i++) {
            assertThat(resumed.get(i).trainLoss()).isCloseTo(straight.get(5 + i), org.assertj.core.api.Assertions.within(1e-4f));
        }
    }

    @Test
    void consecutiveRunsLeaveNoTensorsBehind() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            int before = model.manager().getManagedArrays().size();
            for (int run = 0; run < 5; run++) {
                var out = FineTuneRun.run(model, examples(), settings(run % 2 == 0 ? null
                        : new LoraConfig(4, 8, 0f, List.of("c_attn")), 4, 1e-3f).withLogEvery(1 + run % 3), e -> { },
                        () -> false);
                if (out.adapters() != null) {
                    out.adapters().close();
                }
                assertThat(model.manager().getManagedArrays()).as("after run %d", run + 1).hasSize(before);
            }
        }
    }

    @Test
    void earlyStoppingEndsTheRunWhenValidationStopsImprovingWithTheBestWeights() {
        // lr 0.5 without clipping makes the tiny model overshoot, so validation stops improving.
        FineTuneSettings s = new FineTuneSettings(null, 0.5f, 1, 40, 4, 0f, false, 0f, 0f, 7, 1, 0.2, 2);
        List<Double> evals = new ArrayList<>();
        List<float[]> weightsAtEvaluation = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            var wte = model.lm().namedParameters().get("transformer.wte.weight");
            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(), s, e -> {
                if (e instanceof TrainingEvent.Evaluation v) {
                    evals.add(v.validationLoss());
                    weightsAtEvaluation.add(wte.array().toFloatArray());
                }
            }, () -> false);

            // Seeded: validation is best at step 1 (19.05), then worse twice (163.5, 147.1).
            assertThat(out.finished().outcome()).isEqualTo(TrainingEvent.Outcome.DONE);
            assertThat(out.finished().message()).isEqualTo("stopped early at step 3: the validation loss has not "
                    + "improved for 2 evaluation(s); the weights of step 1, the best, are back");
            assertThat(evals).hasSize(3);
            assertThat(evals.get(1)).isGreaterThan(evals.get(0));
            assertThat(evals.get(2)).isGreaterThan(evals.get(0));
            assertThat(out.finished().bestValidationLoss()).isEqualTo(evals.get(0));
            // the model ends with the weights of its best evaluation, not its last step
            assertThat(wte.array().toFloatArray()).containsExactly(weightsAtEvaluation.get(0))
                    .isNotEqualTo(weightsAtEvaluation.get(2));
        }
    }

    @Test
    void stoppingEndsTheRunBetweenSteps() {
        AtomicInteger seen = new AtomicInteger();
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(), settings(null, 20, 1e-3f), e -> {
                if (e instanceof TrainingEvent.Step) {
                    seen.incrementAndGet();
                }
            }, () -> seen.get() >= 3);

            assertThat(out.finished().outcome()).isEqualTo(TrainingEvent.Outcome.STOPPED);
            assertThat(out.finished().steps()).isEqualTo(3);
        }
    }

    @Test
    void aNanLossStopsTheRunNamingTheStepAndKeepsTheWeights() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            var ln = model.lm().namedParameters().get("transformer.ln_f.weight").array();
            ln.set(nanVector((int) ln.size()));
            float[] wte = model.lm().namedParameters().get("transformer.wte.weight").array().toFloatArray();

            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(), settings(null, 5, 1e-2f), e -> { }, () -> false);

            assertThat(out.finished().outcome()).isEqualTo(TrainingEvent.Outcome.FAILED);
            assertThat(out.finished().message()).contains("at step 1").contains("the run was undone");
            assertThat(model.lm().namedParameters().get("transformer.wte.weight").array().toFloatArray())
                    .containsExactly(wte);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aRunThatFailsMidwayChangesNothingAndTheNextRunGoesAhead(boolean lora, @TempDir Path dir) throws Exception {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            float[] before = dev.scales.core.model.Golden.logits(model, true);
            Path notAFolder = Files.writeString(dir.resolve("checkpoints"), "a file where the folder should be");
            LoraConfig adapters = lora ? new LoraConfig(4, 4, 0, List.of("c_attn")) : null;

            // the first evaluation (step 2) writes the best checkpoint, which fails
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FineTuneRun.run(model, examples(),
                    settings(adapters, 6, 0.05f), e -> { }, FineTuneRun.Control.stopWhen(() -> false)
                            .checkpoints(new Checkpoints(notAFolder)))).isInstanceOf(RuntimeException.class);

            assertThat(dev.scales.core.model.Golden.logits(model, true)).containsExactly(before);
            assertThat(model.lm().block().namedBlocks().values()).noneMatch(b ->
                    b instanceof dev.scales.core.model.nn.Projection p && p.lora() != null);
            FineTuneRun.Outcome next = FineTuneRun.run(model, examples(), settings(adapters, 2, 0.05f), e -> { },
                    () -> false);
            assertThat(next.finished().outcome()).isEqualTo(TrainingEvent.Outcome.DONE);
            if (next.adapters() != null) {
                next.adapters().close();
            }
        }
    }

    @Test
    void aLoraRunWithANonFiniteLossIsUndoneItsAdaptersTakenOff() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            var ln = model.lm().namedParameters().get("transformer.ln_f.weight").array();
            ln.set(nanVector((int) ln.size()));

            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(),
                    settings(new LoraConfig(4, 4, 0, List.of("c_attn")), 5, 1e-2f), e -> { }, () -> false);

            assertThat(out.finished().outcome()).isEqualTo(TrainingEvent.Outcome.FAILED);
            assertThat(out.adapters()).isNull();
            assertThat(model.lm().block().namedBlocks().values()).noneMatch(b ->
                    b instanceof dev.scales.core.model.nn.Projection p && p.lora() != null);
        }
    }

    @Test
    void aNanLossBetweenReportsStopsTheRunNamingTheIntervalAndPutsTheWeightsBack() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            var ln = model.lm().namedParameters().get("transformer.ln_f.weight").array();
            ln.set(nanVector((int) ln.size()));
            float[] before = model.lm().namedParameters().get("transformer.wte.weight").array().toFloatArray();

            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(), settings(null, 12, 1e-2f).withLogEvery(4),
                    e -> { }, () -> false);

            assertThat(out.finished().outcome()).isEqualTo(TrainingEvent.Outcome.FAILED);
            assertThat(out.finished().message()).contains("between steps 1 and 4").contains("the run was undone");
            assertThat(model.lm().namedParameters().get("transformer.wte.weight").array().toFloatArray())
                    .containsExactly(before);
        }
    }

    private static float[] nanVector(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, Float.NaN);
        return v;
    }

    @Test
    void loraLeavesTheBaseWeightsAsTheyWere() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu())) {
            float[] q = model.lm().namedParameters().get("model.layers.0.self_attn.q_proj.weight").array().toFloatArray();
            FineTuneRun.Outcome out = FineTuneRun.run(model, examples(),
                    settings(new LoraConfig(4, 8, 0.05f, List.of("q_proj", "v_proj")), 10, 1e-2f), e -> { },
                    () -> false);
            try (var adapters = out.adapters()) {
                assertThat(adapters.adapters()).hasSize(2 * model.config().numLayers());
                assertThat(model.lm().namedParameters().get("model.layers.0.self_attn.q_proj.weight").array()
                        .toFloatArray()).containsExactly(q);
            }
        }
    }

    @Test
    void aRunThatWouldNotFitIsRefusedWithTheNumbersBeforeItChangesAnything() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            float[] before = model.lm().namedParameters().get("transformer.h.0.attn.c_attn.weight").array().toFloatArray();
            var tight = new dev.scales.core.device.MemoryCheck(() -> 64L << 10, () -> Long.MAX_VALUE);

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FineTuneRun.run(model, examples(),
                            settings(null, 3, 0.01f), e -> { }, FineTuneRun.Control.stopWhen(() -> false).memory(tight)))
                    .isInstanceOf(dev.scales.core.ScalesException.class)
                    .hasMessageContaining("gradients").hasMessageContaining("AdamW moments")
                    .hasMessageContaining("activations").hasMessageContaining("this machine has 64.0 KB free")
                    .hasMessageContaining("use LoRA");

            assertThat(model.lm().namedParameters().get("transformer.h.0.attn.c_attn.weight").array().toFloatArray())
                    .containsExactly(before);
            // the same run with the memory it needs goes ahead
            var roomy = new dev.scales.core.device.MemoryCheck(() -> 1L << 30, () -> Long.MAX_VALUE);
            assertThat(FineTuneRun.run(model, examples(), settings(null, 2, 0.01f), e -> { },
                    FineTuneRun.Control.stopWhen(() -> false).memory(roomy)).finished().steps()).isEqualTo(2);
        }
    }

    @Test
    void readsTheThreeDatasetFormatsAndReportsTheRest(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train.jsonl");
        Files.writeString(f, "{\"text\": \"plain text\"}\n"
                + "{\"prompt\": \"Q: 2+2?\\nA:\", \"completion\": \" 4\"}\n"
                + "{\"input\": \"great food\", \"label\": \"positive\"}\n"
                + "{\"question\": \"unknown shape\"}\n"
                + "not json\n");

        TrainingData.Result r = TrainingData.read(f, new PromptTemplate("Review: {input}\nSentiment: {output}\n\n"));

        assertThat(r.examples()).extracting(TrainingExample::prompt)
                .containsExactly("", "Q: 2+2?\nA:", "Review: great food\nSentiment:");
        assertThat(r.examples()).extracting(TrainingExample::completion)
                .containsExactly("plain text", " 4", " positive\n\n");
        assertThat(r.problems()).extracting(p -> p.line()).containsExactly(4, 5);
        assertThat(r.problems().get(0).message()).contains("\"input\"+\"label\"");
    }

    @Test
    void mappedFieldsAndLabelNamesMakeLabelledRowsOfADatasetAsPeopleHaveIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("imdb.csv");
        Files.writeString(f, "text,label\ngreat film,1\ndull,0\n");
        var format = new TrainingData.Format("", new PromptTemplate("Review: {input}\nSentiment: {output}\n\n"))
                .withFields(new dev.scales.core.data.LabelledData.Fields("text", "label",
                        java.util.Map.of("0", "negative", "1", "positive")));

        TrainingData.Result r = TrainingData.read(f, format);

        // "text" is the mapped input here, not a plain-text row
        assertThat(r.examples()).extracting(TrainingExample::prompt)
                .containsExactly("Review: great film\nSentiment:", "Review: dull\nSentiment:");
        assertThat(r.examples()).extracting(e -> e.label().name()).containsExactly("positive", "negative");
        assertThat(r.examples()).extracting(TrainingExample::completion).containsExactly(" positive\n\n", " negative\n\n");
    }

    @Test
    void rowsOfSeveralFieldsFillATemplatesNamedSlotsAndAMismatchIsReportedByLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("nli.jsonl");
        Files.writeString(f, "{\"premise\": \"It rains.\", \"hypothesis\": \"It is dry.\", \"label\": \"no\"}\n");
        var fields = dev.scales.core.data.LabelledData.Fields.of(List.of("premise", "hypothesis"), "label",
                java.util.Map.of());

        TrainingData.Result r = TrainingData.read(f, new TrainingData.Format("",
                new PromptTemplate("Premise: {premise}\nHypothesis: {hypothesis}\nAnswer: {output}\n\n")).withFields(fields));
        TrainingData.Result mismatch = TrainingData.read(f, new TrainingData.Format("",
                new PromptTemplate("P: {premise}\nH: {claim}\nA: {output}\n")).withFields(fields));

        assertThat(r.examples()).extracting(TrainingExample::prompt)
                .containsExactly("Premise: It rains.\nHypothesis: It is dry.\nAnswer:");
        assertThat(r.examples()).extracting(TrainingExample::completion).containsExactly(" no\n\n");
        assertThat(mismatch.examples()).isEmpty();
        assertThat(mismatch.problems()).singleElement().hasToString("nli.jsonl:1: the input has no \"claim:\" line for "
                + "the template's {claim} (write one line per field: \"premise: …\", \"claim: …\"): "
                + "\"premise: It rains.\\nhypothesis: It is dry.\"");
    }

    @Test
    void readsACsvDatasetByItsHeaderAndReportsShortRows(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train.csv");
        Files.writeString(f, "input,label\n\"warm, kind staff\",positive\ncold\ngrim fries,negative\n");

        TrainingData.Result r = TrainingData.read(f, new PromptTemplate("Review: {input}\nSentiment: {output}\n\n"));

        assertThat(r.examples()).extracting(TrainingExample::prompt)
                .containsExactly("Review: warm, kind staff\nSentiment:", "Review: grim fries\nSentiment:");
        assertThat(r.examples()).extracting(e -> e.label().name()).containsExactly("positive", "negative");
        assertThat(r.examples()).extracting(TrainingExample::line).containsExactly(2, 4);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.toString()).startsWith("train.csv:3: expected 2 columns [input, label], found 1");
        });
    }

    @Test
    void aLabelledAnswerIsTrainedAsRunningTextWithoutEndOfTextAndAFreeCompletionEndsWithIt() {
        try (LoadedModel model = ModelLoader.load(dev.scales.core.AppPaths.bundledModel(), Device.cpu())) {
            var labelled = new TrainingExample(1, "Review: Nice.\nSentiment:", " positive\n\n",
                    new TrainingExample.Label("positive", " positive"));
            var free = new TrainingExample(2, "Q: Where does Mia live?\nA:", " Lund\n\n");

            List<FineTuneRun.Sequence> seqs = FineTuneRun.tokenize(model, List.of(labelled, free), new ArrayList<>());

            long eos = model.config().eosTokenIds().get(0);
            long[] a = seqs.get(0).ids();
            long[] inText = model.tokenizer().encode("Review: Nice.\nSentiment: positive\n\nReview", true);
            // the answer's tokens are those of running text ("\n", "\n" — never a lone "\n\n"), then nothing
            assertThat(a).containsExactly(java.util.Arrays.copyOf(inText, inText.length - 1));
            assertThat(a[a.length - 1]).isNotEqualTo(eos);
            long[] b = seqs.get(1).ids();
            assertThat(b[b.length - 1]).isEqualTo(eos);
            // the loss counts the completion (and the end of a free one) only
            float[] w = seqs.get(0).weights();
            int prompt = seqs.get(0).promptLength();
            for (int i = 0; i < w.length; i++) {
                assertThat(w[i]).as("prediction %d", i).isEqualTo(i >= prompt - 1 ? 1f : 0f);
            }
        }
    }

    private static dev.scales.core.chat.ChatTemplate qwenTemplate(Path dir) throws Exception {
        Files.copy(Path.of(FineTuneRunTest.class.getResource("/chat-templates/qwen2.5-instruct.json").toURI()),
                dir.resolve("tokenizer_config.json"));
        return dev.scales.core.chat.ChatTemplate.read(dir).orElseThrow();
    }

    @Test
    void conversationsAreWrittenByTheChatTemplateWithTheLossOnAssistantTurnsOnly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("chat.jsonl");
        Files.writeString(f, """
                {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, \
                {"role": "user", "content": "How are you?"}, {"role": "assistant", "content": "Fine."}]}
                {"messages": [{"role": "user", "content": "Only a question"}]}
                {"messages": [{"role": "user"}]}
                {"messages": "not a list"}
                """);
        TrainingData.Format chat = new TrainingData.Format("", TEMPLATE, qwenTemplate(dir), false);

        TrainingData.Result r = TrainingData.read(f, chat);

        TrainingExample e = r.examples().get(0);
        assertThat(e.segments()).filteredOn(TrainingExample.Segment::trained)
                .extracting(TrainingExample.Segment::text).containsExactly("Hello!<|im_end|>\n", "Fine.<|im_end|>\n");
        assertThat(e.prompt()).isEqualTo("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a "
                + "helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(e.segments().get(2).text()).isEqualTo("<|im_start|>user\nHow are you?<|im_end|>\n"
                + "<|im_start|>assistant\n");
        assertThat(e.endsWithEos()).isFalse();
        assertThat(r.problems()).extracting(p -> p.line()).containsExactly(2, 3, 4);
        assertThat(r.problems()).extracting(Object::toString).satisfiesExactly(
                p -> assertThat(p).contains("chat.jsonl:2").contains("no assistant turn"),
                p -> assertThat(p).contains("chat.jsonl:3").contains("item 1").contains("\"content\""),
                p -> assertThat(p).contains("chat.jsonl:4").contains("\"messages\""));

        // a model without a chat template cannot read them, and says so
        assertThat(TrainingData.read(f, TEMPLATE).problems().get(0).message()).contains("chat template");
    }

    @Test
    void aConversationTrainsExactlyTheTokensOfItsAssistantTurns(@TempDir Path dir) {
        var chatml = new dev.scales.core.chat.ChatTemplate("{% for m in messages %}<{{ m.role }}>{{ m.content }}</>\n"
                + "{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}", "test", java.util.Map.of());
        try (LoadedModel model = ModelLoader.load(dev.scales.core.AppPaths.bundledModel(), Device.cpu())) {
            var messages = List.of(dev.scales.core.chat.ChatMessage.user("Where does Mia live?"),
                    dev.scales.core.chat.ChatMessage.assistant("In Lund."),
                    dev.scales.core.chat.ChatMessage.user("And Tom?"),
                    dev.scales.core.chat.ChatMessage.assistant("In Oslo."));
            TrainingExample e = Conversations.example(1, messages, chatml);

            FineTuneRun.Sequence q = FineTuneRun.tokenize(model, List.of(e), new ArrayList<>()).get(0);

            StringBuilder trained = new StringBuilder();
            for (int i = 0; i < q.weights().length; i++) {
                if (q.weights()[i] == 1f) {
                    trained.append(model.tokenizer().tokenText(q.ids()[i + 1]));
                }
            }
            assertThat(trained.toString()).isEqualTo("In Lund.</>\nIn Oslo.</>\n");
            assertThat(model.tokenizer().decode(q.ids())).endsWith(chatml.render(messages, false));
            assertThat(q.ids()[q.ids().length - 1]).isNotEqualTo(model.config().eosTokenIds().get(0));
        }
    }
}
