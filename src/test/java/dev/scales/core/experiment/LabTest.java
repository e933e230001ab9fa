package dev.scales.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.scales.core.AppPaths;
import dev.scales.core.ScalesException;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fine-tuning for a measurement trains on what is loaded and leaves the base model as it was; a
 * prompt keeps as many demonstrations as the context holds, those the evaluator accepts.
 */
class LabTest {
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fineTunesWithoutChangingTheBase(boolean lora) {
        PromptSet set = PromptSet.read(Path.of("sample-data/sentiment/prompt-set.json"));
        List<SampleTasks.Item> items = List.of(new SampleTasks.Item("a warm and lovely film", "positive"),
                new SampleTasks.Item("dull, slow and far too long", "negative"));
        try (LoadedModel base = ModelLoader.load(AppPaths.bundledModel(), Device.cpu())) {
            long[] prompt = base.tokenizer().encode("Review: a fine film\nSentiment:", true);
            float[] before = logits(base, prompt);

            float[] tuned = Lab.withFineTuned(base, set, items, Lab.settings(base, lora, 1e-2f, 5, 2, 4, 0),
                    (model, outcome) -> {
                        assertThat(model == base).as("LoRA trains the base itself").isEqualTo(lora);
                        return logits(model, prompt);
                    });

            assertThat(tuned).as("the fine-tuned model answers differently").isNotEqualTo(before);
            assertThat(logits(base, prompt)).as("the base afterwards").containsExactly(before);
            assertThat(base.lm().block().namedBlocks().values()).noneMatch(b ->
                    b instanceof dev.scales.core.model.nn.Projection p && p.lora() != null);
        }
    }

    @Test
    void keepsTheMostDemonstrationsWithWhichTheEvaluatorAcceptsEveryQuery() {
        PromptSet set = PromptSet.read(Path.of("sample-data/sentiment/prompt-set.json"));
        List<Example> demos = IntStream.range(0, 64).mapToObj(i -> new Example(
                "review number " + i + ": a warm, lovely and generous film", i % 2 == 0 ? "positive" : "negative"))
                .toList();
        List<FewShotEvaluator.TestExample> test = List.of(new FewShotEvaluator.TestExample("a fine film", "positive"),
                new FewShotEvaluator.TestExample("dull, slow and far too long, a film to forget", "negative"));
        try (LoadedModel model = ModelLoader.load(AppPaths.bundledModel(), Device.cpu())) {
            List<Example> kept = Lab.fitting(model, set, demos, test);

            assertThat(kept).isNotEmpty().hasSizeLessThan(demos.size()).isEqualTo(demos.subList(0, kept.size()));
            assertThat(Lab.evaluate(model, set, kept, test, false).predictions()).hasSize(test.size());
            List<Example> oneMore = demos.subList(0, kept.size() + 1);
            assertThatThrownBy(() -> Lab.evaluate(model, set, oneMore, test, false))
                    .isInstanceOf(ScalesException.class).hasMessageContaining("reads at most");
            assertThat(Lab.fitting(model, set, kept, test)).as("all, when all fit").isEqualTo(kept);

            List<FewShotEvaluator.TestExample> endless = List.of(new FewShotEvaluator.TestExample(
                    "long ".repeat(model.contextLength()), "positive"));
            assertThat(Lab.fitting(model, set, demos, endless)).as("not even the query alone").isEmpty();
        }
    }

    private static float[] logits(LoadedModel model, long[] prompt) {
        try (var session = model.manager().newSubManager();
             var cache = new dev.scales.core.model.KvCache(session, model.config().numLayers())) {
            return lastLogits(model, session, prompt, cache);
        }
    }

    private static float[] lastLogits(LoadedModel model, ai.djl.ndarray.NDManager session, long[] ids,
                                      dev.scales.core.model.KvCache cache) {
        dev.scales.core.model.GradMode.inference();
        try (var step = session.newSubManager()) {
            var b = dev.scales.core.generate.Inputs.single(step, ids, 0);
            return model.lm().forward(b.ids(), b.positions(), b.bias(), cache, true).toFloatArray();
        }
    }
}
