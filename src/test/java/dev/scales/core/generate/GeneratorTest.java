package dev.scales.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.scales.core.ScalesException;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    static LoadedModel model;
    static final long[] PROMPT = {72, 101, 108, 108, 111};

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationSettings sampling(long seed, double temperature, int topK, double topP) {
        return new GenerationSettings(24, temperature, topK, topP, 1, seed, List.of(), false);
    }

    private static GenerationSettings greedy(int n) {
        return new GenerationSettings(n, 0, 0, 1, 1, 0, List.of(), false);
    }

    private static long[] ids(GenerationResult r) {
        return r.tokens().stream().mapToLong(GeneratedToken::id).toArray();
    }

    private static GenerationResult run(GenerationSettings s) {
        return Generator.generate(model, PROMPT, s, t -> { }, () -> false);
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedDiffers() {
        long[] a = ids(run(sampling(7, 1.5, 0, 1)));
        long[] b = ids(run(sampling(7, 1.5, 0, 1)));
        long[] c = ids(run(sampling(8, 1.5, 0, 1)));

        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void topKOfOneIsGreedy() {
        assertThat(ids(run(sampling(3, 1.0, 1, 1)))).containsExactly(ids(run(greedy(24))));
    }

    @Test
    void aTinyTopPIsGreedy() {
        assertThat(ids(run(sampling(3, 1.0, 0, 1e-6)))).containsExactly(ids(run(greedy(24))));
    }

    @Test
    void tokensStreamInOrderWithProbabilitiesAndAlternatives() {
        List<GeneratedToken> streamed = new ArrayList<>();
        GenerationResult r = Generator.generate(model, PROMPT, GenerationSettings.greedy(10), streamed::add, () -> false);

        assertThat(streamed).containsExactlyElementsOf(r.tokens());
        assertThat(streamed).extracting(GeneratedToken::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        for (GeneratedToken t : streamed) {
            assertThat(t.probability()).isBetween(0.0, 1.0);
            assertThat(t.alternatives()).hasSize(5);
            // Greedy: the chosen token is the most likely one.
            assertThat(t.alternatives().get(0).id()).isEqualTo(t.id());
            assertThat(t.alternatives().get(0).probability()).isEqualTo(t.probability());
        }
        // The stream holds back an incomplete multi-byte character; the result has every byte.
        assertThat(r.text()).startsWith(String.join("", streamed.stream().map(GeneratedToken::text).toList()))
                .isEqualTo(model.tokenizer().decode(streamed.stream().mapToLong(GeneratedToken::id).toArray()));
    }

    @Test
    void cancellationStopsBetweenTokens() {
        AtomicInteger seen = new AtomicInteger();
        GenerationResult r = Generator.generate(model, PROMPT, GenerationSettings.greedy(50),
                t -> seen.incrementAndGet(), () -> seen.get() >= 3);

        assertThat(r.tokens()).hasSize(3);
        assertThat(r.stop()).isEqualTo(GenerationResult.StopReason.CANCELLED);
    }

    @Test
    void aStopSequenceEndsGenerationAndIsCutFromTheText() {
        String full = run(greedy(24)).text();
        String stop = full.substring(4, 6);

        GenerationResult r = run(greedy(24).withStopSequences(List.of(stop)));

        assertThat(r.stop()).isEqualTo(GenerationResult.StopReason.STOP_SEQUENCE);
        assertThat(r.text()).isEqualTo(full.substring(0, full.indexOf(stop)));
    }

    @Test
    void generationStopsWhenTheContextIsFull() {
        long[] longPrompt = new long[model.contextLength() - 3];
        java.util.Arrays.fill(longPrompt, 65);

        GenerationResult r = Generator.generate(model, longPrompt, GenerationSettings.greedy(50), t -> { }, () -> false);

        assertThat(r.stop()).isEqualTo(GenerationResult.StopReason.CONTEXT_FULL);
        assertThat(r.tokens()).hasSize(3);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedWithTheNumbers() {
        long[] tooLong = new long[model.contextLength() + 5];

        assertThatThrownBy(() -> Generator.generate(model, tooLong, GenerationSettings.greedy(5), t -> { }, () -> false))
                .isInstanceOf(ScalesException.class)
                .hasMessageContaining(tooLong.length + " tokens").hasMessageContaining("at most " + model.contextLength());
    }

    @Test
    void settingsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new GenerationSettings(10, 1, 0, 1.5, 1, 0, List.of(), true))
                .hasMessageStartingWith("top-p must be within (0, 1]").isInstanceOfSatisfying(
                        dev.scales.core.InvalidSetting.class,
                        e -> assertThat(e.setting()).isEqualTo(GenerationSettings.Setting.TOP_P));
        assertThatThrownBy(() -> new GenerationSettings(0, 1, 0, 1, 1, 0, List.of(), true))
                .hasMessageStartingWith("the answer length in tokens must be between 1 and 100000");
        assertThatThrownBy(() -> new GenerationSettings(10, -1, 0, 1, 1, 0, List.of(), true))
                .hasMessageStartingWith("temperature must be within [0, 100]");
    }
}
