package dev.scales.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScorerTest {
    static LoadedModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aContinuationScoresTheSumOfItsTokensLogProbs() {
        long[] p = model.tokenizer().encode("Review: good\nSentiment:", true);
        long[] c = model.tokenizer().encode(" positive", false);
        long[] all = new long[p.length + c.length];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(c, 0, all, p.length, c.length);
        float[] lp = Scorer.tokenLogProbs(model, all);
        double expected = 0;
        for (int i = p.length - 1; i < lp.length; i++) {
            expected += lp[i];
        }

        Scorer.Continuation s = Scorer.continuation(model, "Review: good\nSentiment:", " positive");

        assertThat(s.tokens()).isEqualTo(c.length);
        assertThat(s.logProb()).isCloseTo(expected, within(1e-5));
        assertThat(s.perToken()).isCloseTo(expected / c.length, within(1e-6));
    }

    @Test
    void slidingWindowPerplexityEqualsTheFullPassWhenTheTextFits() {
        long[] ids = model.tokenizer().encode("the cat sat on the mat and the dog sat on the log", false);
        float[] lp = Scorer.tokenLogProbs(model, ids);
        double nll = 0;
        for (float v : lp) {
            nll -= v;
        }

        Scorer.Perplexity full = Scorer.perplexity(model, ids, model.contextLength(), model.contextLength());

        assertThat(full.tokens()).isEqualTo(ids.length - 1);
        assertThat(full.meanNll()).isCloseTo(nll / lp.length, within(1e-5));
    }

    @Test
    void slidingWindowsPredictEveryTokenOnceOverLongText() {
        long[] ids = new long[3 * model.contextLength() + 7];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 31L) % 256;
        }

        Scorer.Perplexity ppl = Scorer.perplexity(model, ids, 64, 32);

        assertThat(ppl.tokens()).isEqualTo(ids.length - 1);
        assertThat(ppl.perplexity()).isFinite().isGreaterThan(1);
    }

    @Test
    void textLongerThanTheContextIsRefusedForDirectScoring() {
        assertThatThrownBy(() -> Scorer.tokenLogProbs(model, new long[model.contextLength() + 1]))
                .isInstanceOf(ScalesException.class).hasMessageContaining("sliding window");
    }
}
