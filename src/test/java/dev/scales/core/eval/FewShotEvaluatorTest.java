package dev.scales.core.eval;

import dev.scales.core.generate.LabelScorer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.generate.Scorer;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.prompt.PromptTemplate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FewShotEvaluatorTest {
    static LoadedModel model;
    static final PromptTemplate TEMPLATE = new PromptTemplate("{input}:{output}\n");
    static final FewShotPrompt PROMPT = new FewShotPrompt("", List.of(new Example("good", " pos"),
            new Example("bad", " neg"), new Example("fine", " pos")), "", TEMPLATE);
    static final List<FewShotEvaluator.TestExample> TEST = List.of(new FewShotEvaluator.TestExample("nice", "pos"),
            new FewShotEvaluator.TestExample("awful", "neg"), new FewShotEvaluator.TestExample("great", "pos"),
            new FewShotEvaluator.TestExample("poor", "neg"));

    static LabelSet labels() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("pos", " pos");
        v.put("neg", " negative"); // several tokens under the tiny byte-level vocabulary
        return new LabelSet(v);
    }

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aLabelScoresTheLogProbabilityOfItsVerbalizerAsTheContinuation() {
        String prompt = PROMPT.renderPrefix() + TEMPLATE.renderQuery("nice");
        LabelScorer scorer = new LabelScorer(model, labels(), false);
        long[] ids = model.tokenizer().encode(prompt, true);

        double[] scores;
        try (LabelScorer.Prefix p = scorer.prefix(ids)) {
            scores = scorer.score(p);
        }

        // Hand-computed from per-token log-probs of the whole text.
        long[] neg = model.tokenizer().encode(" negative", false);
        long[] all = new long[ids.length + neg.length];
        System.arraycopy(ids, 0, all, 0, ids.length);
        System.arraycopy(neg, 0, all, ids.length, neg.length);
        float[] lp = Scorer.tokenLogProbs(model, all);
        double expected = 0;
        for (int i = ids.length - 1; i < lp.length; i++) {
            expected += lp[i];
        }
        assertThat(neg.length).isGreaterThan(1);
        assertThat(scores[1]).isCloseTo(expected, within(1e-4));
    }

    @Test
    void theSharedPrefixCacheGivesTheSamePredictionsAsRecomputingEachPrompt() {
        var shared = FewShotEvaluator.evaluate(model, PROMPT, labels(), TEST, new FewShotEvaluator.Options(false, true, true),
                i -> { }, () -> false);
        var full = FewShotEvaluator.evaluate(model, PROMPT, labels(), TEST, new FewShotEvaluator.Options(false, true, false),
                i -> { }, () -> false);

        for (int i = 0; i < TEST.size(); i++) {
            assertThat(shared.predictions().get(i).predicted()).isEqualTo(full.predictions().get(i).predicted());
            for (int k = 0; k < 2; k++) {
                assertThat(shared.predictions().get(i).probabilities()[k])
                        .isCloseTo(full.predictions().get(i).probabilities()[k], within(1e-4));
            }
        }
        assertThat(shared.metrics().count()).isEqualTo(4);
        assertThat(shared.metrics().accuracy()).isEqualTo(full.metrics().accuracy());
    }

    @Test
    void batchedQueriesAfterTheSharedPrefixMatchFullRecompute() {
        // One-byte verbalizers: one token each, so queries of different lengths go through in one padded batch.
        LabelSet oneToken = new LabelSet(new LinkedHashMap<>(Map.of("pos", "P", "neg", "N")));
        List<FewShotEvaluator.TestExample> test = new java.util.ArrayList<>(TEST);
        test.add(new FewShotEvaluator.TestExample("a much longer review", "pos"));

        var batched = FewShotEvaluator.evaluate(model, PROMPT, oneToken, test, new FewShotEvaluator.Options(false, false, true),
                i -> { }, () -> false);
        var full = FewShotEvaluator.evaluate(model, PROMPT, oneToken, test, new FewShotEvaluator.Options(false, false, false),
                i -> { }, () -> false);

        for (int i = 0; i < test.size(); i++) {
            assertThat(batched.predictions().get(i).predicted()).isEqualTo(full.predictions().get(i).predicted());
            assertThat(batched.predictions().get(i).probabilities()[0])
                    .isCloseTo(full.predictions().get(i).probabilities()[0], within(1e-4));
        }
    }

    @Test
    void calibrationDividesByTheContentFreeProbabilities() {
        var result = FewShotEvaluator.evaluate(model, PROMPT, labels(), TEST, new FewShotEvaluator.Options(true, true, true),
                i -> { }, () -> false);
        var raw = FewShotEvaluator.evaluate(model, PROMPT, labels(), TEST, new FewShotEvaluator.Options(false, true, true),
                i -> { }, () -> false);

        double[] cf = result.contentFree();
        assertThat(cf[0] + cf[1]).isCloseTo(1.0, within(1e-9));
        double[] expected = Calibration.calibrate(raw.predictions().get(0).probabilities(), cf);
        assertThat(result.predictions().get(0).probabilities()[0]).isCloseTo(expected[0], within(1e-9));
    }

    @Test
    void calibrationMathMatchesTheWorkedExample() {
        // p = (0.7, 0.3) under a prompt biased as (0.8, 0.2): calibrated ∝ (0.875, 1.5) → (0.368, 0.632)
        double[] q = Calibration.calibrate(new double[] {0.7, 0.3}, new double[] {0.8, 0.2});
        assertThat(q[0]).isCloseTo(0.875 / 2.375, within(1e-12));
        assertThat(Calibration.argmax(q)).isEqualTo(1);
    }

    @Test
    void metricsCountAccuracyMacroF1AndConfusion() {
        // gold: a a b b c ; predicted: a b b b a
        Metrics m = Metrics.of(List.of(0, 0, 1, 1, 2), List.of(0, 1, 1, 1, 0), 3);

        assertThat(m.accuracy()).isEqualTo(0.6);
        assertThat(m.confusion()).isDeepEqualTo(new int[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 0}});
        // F1: a = 2·(1/2·1/2)/(1) = 0.5; b = 2·(2/3·1)/(5/3) = 0.8; c = 0
        assertThat(m.macroF1()).isCloseTo((0.5 + 0.8 + 0) / 3, within(1e-12));
    }

    @Test
    void anUnknownGoldLabelAndAPromptOverTheContextAreNamed() {
        assertThatThrownBy(() -> FewShotEvaluator.evaluate(model, PROMPT, labels(),
                List.of(new FewShotEvaluator.TestExample("ok", "neutral")), FewShotEvaluator.Options.DEFAULT, i -> { },
                () -> false)).isInstanceOf(ScalesException.class).hasMessageContaining("test example 1")
                .hasMessageContaining("'neutral'");
        assertThatThrownBy(() -> FewShotEvaluator.evaluate(model, PROMPT, labels(),
                List.of(new FewShotEvaluator.TestExample("x".repeat(200), "pos")), FewShotEvaluator.Options.DEFAULT,
                i -> { }, () -> false)).isInstanceOf(ScalesException.class).hasMessageContaining("reads at most 128");
    }

    @Test
    void evaluationLeavesNoArraysOnTheModel() {
        int before = model.manager().getManagedArrays().size();
        FewShotEvaluator.evaluate(model, PROMPT, labels(), TEST, new FewShotEvaluator.Options(true, false, true),
                i -> { }, () -> false);
        assertThat(model.manager().getManagedArrays()).hasSize(before);
    }
}
