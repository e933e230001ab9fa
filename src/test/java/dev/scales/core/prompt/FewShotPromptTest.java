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

    private static dev.scales.core.chat.ChatTemplate chat(String name) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("chat");
        java.nio.file.Files.copy(java.nio.file.Path.of(FewShotPromptTest.class.getResource(
                "/chat-templates/" + name + ".json").toURI()), dir.resolve("tokenizer_config.json"));
        return dev.scales.core.chat.ChatTemplate.read(dir).orElseThrow();
    }

    @Test
    void inChatFormatTheInstructionIsTheSystemAndEachDemonstrationATurnPair() throws Exception {
        FewShotPrompt p = new FewShotPrompt("Answer with positive or negative.",
                List.of(new Example("Great food", "positive"), new Example("off", "negative", false)), "Nice staff",
                TEMPLATE).withChat(chat("qwen2.5-instruct"));

        assertThat(p.render()).isEqualTo("""
                <|im_start|>system
                Answer with positive or negative.<|im_end|>
                <|im_start|>user
                Review: Great food
                Sentiment:<|im_end|>
                <|im_start|>assistant
                positive<|im_end|>
                <|im_start|>user
                Review: Nice staff
                Sentiment:<|im_end|>
                <|im_start|>assistant
                """);
        // the shared prefix ends where the last user turn's text begins; the query is the rest
        assertThat(p.renderPrefix()).endsWith("positive<|im_end|>\n<|im_start|>user\n");
        assertThat(p.renderPrefix() + p.renderQuery("Nice staff")).isEqualTo(p.render());
        assertThat(p.renderQuery("Cold soup")).startsWith("Review: Cold soup\nSentiment:<|im_end|>");
        // an answer is the assistant's text; the end of its turn ends it
        assertThat(p.answer(" positive")).isEqualTo("positive");
        assertThat(p.answerTerminator()).isEqualTo("<|im_end|>\n");
        assertThat(p.isChat()).isTrue();
        assertThat(p.withChat(null).render()).isEqualTo(new FewShotPrompt(p.instruction(), p.examples(), p.query(),
                TEMPLATE).render());
    }

    @Test
    void aTemplateThatRefusesASystemMessageSaysWhy() throws Exception {
        FewShotPrompt p = new FewShotPrompt("Be brief.", List.of(), "Nice", TEMPLATE).withChat(chat("gemma-it"));
        assertThatThrownBy(p::render).isInstanceOf(dev.scales.core.chat.ChatTemplate.Refusal.class)
                .hasMessageContaining("System role not supported");
        assertThat(new FewShotPrompt("", List.of(), "Nice", TEMPLATE).withChat(chat("gemma-it")).render())
                .isEqualTo("<bos><start_of_turn>user\nReview: Nice\nSentiment:<end_of_turn>\n<start_of_turn>model\n");
    }
}
