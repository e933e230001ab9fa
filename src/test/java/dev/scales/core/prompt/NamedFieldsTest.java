package dev.scales.core.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamedFieldsTest {
    private static final PromptTemplate NLI = new PromptTemplate(
            "Premise: {premise}\nHypothesis: {hypothesis}\nAnswer: {output}\n\n");

    @Test
    void aTemplateNamesItsInputSlotsInOrder() {
        assertThat(NLI.slots()).containsExactly("premise", "hypothesis");
        assertThat(new PromptTemplate("Review: {review} / {review}\n{output}").slots()).containsExactly("review");
        assertThat(new PromptTemplate("{\"x\": {input}} => {output}").slots()).containsExactly("input");
    }

    @Test
    void severalFieldsAreWrittenAsNameValueLinesAndReadBackInAnyOrder() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("premise", "A man sleeps.\nHe snores.");
        fields.put("hypothesis", "A person rests.");

        String text = NamedFields.join(fields);

        assertThat(text).isEqualTo("premise: A man sleeps.\nHe snores.\nhypothesis: A person rests.");
        assertThat(NamedFields.split(text, List.of("premise", "hypothesis"))).isEqualTo(fields);
        assertThat(NamedFields.split("hypothesis:A person rests.\npremise: A man sleeps.",
                List.of("premise", "hypothesis"))).containsExactly(Map.entry("premise", "A man sleeps."),
                Map.entry("hypothesis", "A person rests."));
        assertThat(NamedFields.split("premise:\nhypothesis: x", List.of("premise", "hypothesis")))
                .containsEntry("premise", "");
    }

    @Test
    void eachSlotIsFilledWithItsField() {
        String input = "premise: A man sleeps.\nhypothesis: A person rests.";
        FewShotPrompt p = new FewShotPrompt("", List.of(new Example("premise: It rains.\nhypothesis: It is dry.",
                "no")), input, NLI);

        assertThat(p.render()).isEqualTo("Premise: It rains.\nHypothesis: It is dry.\nAnswer: no\n\n"
                + "Premise: A man sleeps.\nHypothesis: A person rests.\nAnswer:");
        assertThat(p.answer("yes")).isEqualTo(" yes");
    }

    @Test
    void aSingleSlotTakesTheWholeInputWhateverItsNameAndValuesAreNotReadAsSlots() {
        PromptTemplate t = new PromptTemplate("Review: {review}\nSentiment: {output}\n");

        assertThat(t.renderExample("premise: not a field {output} {review}", "good"))
                .isEqualTo("Review: premise: not a field {output} {review}\nSentiment: good\n");
        assertThat(t.renderQuery("ok")).isEqualTo("Review: ok\nSentiment:");
    }

    @Test
    void anInputLackingAFieldIsRefusedNamingTheSlotAndHowToWriteIt() {
        assertThatThrownBy(() -> NLI.renderQuery("A man sleeps.")).isInstanceOf(ScalesException.class)
                .hasMessageContaining("\"premise:\"").hasMessageContaining("{premise}")
                .hasMessageContaining("\"hypothesis: …\"").hasMessageContaining("A man sleeps.");
    }

    @Test
    void slotsMustComeBeforeTheOutput() {
        assertThatThrownBy(() -> new PromptTemplate("{output} {input}")).isInstanceOf(ScalesException.class)
                .hasMessageContaining("place {input} before {output}");
        assertThatThrownBy(() -> new PromptTemplate("{premise}: {output} ({hypothesis})"))
                .hasMessageContaining("place {hypothesis} before {output}");
        assertThatThrownBy(() -> new PromptTemplate("no slots: {output}")).hasMessageContaining("must contain {input}");
        assertThatThrownBy(() -> new PromptTemplate("{input} but no answer")).hasMessageContaining("must contain {output}");
    }

    @Test
    void aChatPromptSplitsTheSharedPrefixAtTheLastUserTurnWithSeveralFields() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("chat");
        java.nio.file.Files.copy(java.nio.file.Path.of(NamedFieldsTest.class.getResource(
                "/chat-templates/qwen2.5-instruct.json").toURI()), dir.resolve("tokenizer_config.json"));
        var chat = dev.scales.core.chat.ChatTemplate.read(dir).orElseThrow();
        String query = "premise: A man sleeps.\nhypothesis: A person rests.";
        FewShotPrompt p = new FewShotPrompt("Answer yes or no.", List.of(new Example(
                "premise: It rains.\nhypothesis: It is dry.", "no")), query, NLI).withChat(chat);

        assertThat(p.renderPrefix() + p.renderQuery(query)).isEqualTo(p.render());
        assertThat(p.renderQuery(query)).startsWith("Premise: A man sleeps.\nHypothesis: A person rests.\nAnswer:");
        assertThat(p.renderPrefix()).contains("Premise: It rains.").endsWith("<|im_start|>user\n");
    }
}
