package dev.scales.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FewShotPromptTest {
    private static final PromptTemplate TEMPLATE = new PromptTemplate("Review: {input}\nSentiment: {output}\n\n");

    @Test
    void rendersInstructionDemonstrationsAndAnOpenQuery() {
        FewShotPrompt p = new FewShotPrompt("Classify each review.",
                List.of(new Example("Great food", "positive"), new Example("Awful", "negative")), "Nice staff", TEMPLATE);

        assertThat(p.render()).isEqualTo("Classify each review.\n\n"
                + "Review: Great food\nSentiment: positive\n\n"
                + "Review: Awful\nSentiment: negative\n\n"
                + "Review: Nice staff\nSentiment:");
    }

    @Test
    void leavesOutDisabledExamplesAndABlankInstruction() {
        FewShotPrompt p = new FewShotPrompt("  ",
                List.of(new Example("a", "x", false), new Example("b", "y")), "c", new PromptTemplate("{input}={output};"));

        assertThat(p.render()).isEqualTo("b=y;c=");
        assertThat(p.enabledExamples()).extracting(Example::input).containsExactly("b");
    }

    @Test
    void zeroShotIsJustTheQuery() {
        assertThat(new FewShotPrompt("", List.of(), "Nice", TEMPLATE).render()).isEqualTo("Review: Nice\nSentiment:");
    }

    @Test
    void theSpaceBeforeTheOutputSlotBelongsToTheAnswer() {
        // Byte-level BPE writes " positive" as one token: the query stops before the space.
        assertThat(TEMPLATE.renderQuery("Nice")).isEqualTo("Review: Nice\nSentiment:");
        assertThat(TEMPLATE.answerPrefix()).isEqualTo(" ");
        assertThat(TEMPLATE.answer("positive")).isEqualTo(" positive");
        assertThat(TEMPLATE.answer(" positive")).isEqualTo(" positive");
        assertThat(new PromptTemplate("{input}={output}").answer("x")).isEqualTo("x");
    }

    @Test
    void theAnswerTerminatorIsWhatFollowsTheOutputSlot() {
        assertThat(TEMPLATE.answerTerminator()).isEqualTo("\n\n");
    }

    @Test
    void refusesTemplatesWithoutBothSlotsInOrder() {
        assertThatThrownBy(() -> new PromptTemplate("Review: {input}")).isInstanceOf(ScalesException.class)
                .hasMessageContaining("{output}");
        assertThatThrownBy(() -> new PromptTemplate("{output} then {input}")).isInstanceOf(ScalesException.class)
                .hasMessageContaining("before");
    }
}
