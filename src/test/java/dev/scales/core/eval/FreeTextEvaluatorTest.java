package dev.scales.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.scales.core.AppPaths;
import dev.scales.core.ScalesException;
import dev.scales.core.corpus.World;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeTextEvaluatorTest {
    static final PromptTemplate QA = new PromptTemplate("Q: Where does {input} live?\nA: {output}\n\n");

    @Test
    void theBundledModelAnswersItsWorldsFactsWordForWord() {
        // given: the bundled model learned where each person of its world lives
        List<World.Person> people = new World(1).people();
        List<Example> demos = people.subList(0, 2).stream().map(p -> new Example(p.name(), p.town())).toList();
        List<FewShotEvaluator.TestExample> test = people.subList(2, 14).stream()
                .map(p -> new FewShotEvaluator.TestExample(p.name(), p.town())).toList();
        int[] progress = {0};

        try (LoadedModel model = ModelLoader.load(AppPaths.bundledModel(), Device.cpu())) {
            FreeTextEvaluator.Result r = FreeTextEvaluator.evaluate(model, new FewShotPrompt("", demos, "", QA), test,
                    8, i -> progress[0] = i, () -> false);

            assertThat(r.count()).isEqualTo(12);
            assertThat(progress[0]).isEqualTo(12);
            // it knows 17 of its 28 other people's towns (docs/decisions/0008); guessing, 1 in 12
            assertThat(r.exactMatch()).isGreaterThanOrEqualTo(0.6);
            assertThat(r.containsMatch()).isGreaterThanOrEqualTo(r.exactMatch());
            assertThat(r.predictions()).allSatisfy(p -> assertThat(p.answer()).doesNotContain("\n"));
            FreeTextEvaluator.Prediction first = r.predictions().get(0);
            assertThat(first.exact()).isEqualTo(first.answer().equals(first.expected()));
        }
    }

    @Test
    void answersMatchAfterNormalisingCaseSpacesAndPunctuation() {
        assertThat(FreeTextEvaluator.normalise("  Ashford. ")).isEqualTo("ashford");
        assertThat(FreeTextEvaluator.normalise("the  Old\tMill!")).isEqualTo("the old mill");
        assertThat(FreeTextEvaluator.normalise("?!")).isEmpty();
    }

    @Test
    void anAnswerThatDoesNotFitTheContextNamesTheExample() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            String tooLong = "word ".repeat(model.contextLength());
            List<FewShotEvaluator.TestExample> test = List.of(new FewShotEvaluator.TestExample("a", "b"),
                    new FewShotEvaluator.TestExample(tooLong, "b"));
            assertThatThrownBy(() -> FreeTextEvaluator.evaluate(model, new FewShotPrompt("", List.of(), "", QA), test,
                    2, i -> { }, () -> false)).isInstanceOf(ScalesException.class)
                    .hasMessageStartingWith("test example 2: ").hasMessageContaining("reads at most");
        }
    }
}
