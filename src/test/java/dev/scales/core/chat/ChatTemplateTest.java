package dev.scales.core.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
    /** The date render_chat_templates.py gives strftime_now. */
    private static final Clock MARCH_5 = Clock.fixed(LocalDateTime.of(2026, 3, 5, 14, 7).toInstant(ZoneOffset.UTC),
            ZoneOffset.UTC);

    @TempDir
    Path dir;

    static Path fixtures() throws Exception {
        return Path.of(ChatTemplateTest.class.getResource("/chat-templates/expected.json").toURI()).getParent();
    }

    /** A model folder whose tokenizer_config.json is the named public template's. */
    static Path folderWith(Path dir, String template) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(template));
        Files.copy(fixtures().resolve(template + ".json"), folder.resolve("tokenizer_config.json"));
        return folder;
    }

    @Test
    void publicTemplatesRenderExactlyAsJinja2Does() throws Exception {
        JsonArray expected = JsonParser.parseString(Files.readString(fixtures().resolve("expected.json")))
                .getAsJsonArray();
        int rendered = 0;
        int refused = 0;
        for (JsonElement el : expected) {
            JsonObject c = el.getAsJsonObject();
            String name = c.get("template").getAsString();
            ChatTemplate t = ChatTemplate.read(folderWith(dir.resolve(c.get("case").getAsString()), name))
                    .orElseThrow().withClock(MARCH_5);
            List<ChatMessage> messages = new ArrayList<>();
            c.getAsJsonArray("messages").forEach(m -> messages.add(new ChatMessage(
                    m.getAsJsonObject().get("role").getAsString(), m.getAsJsonObject().get("content").getAsString())));
            boolean generation = c.get("add_generation_prompt").getAsBoolean();
            String what = name + " / " + c.get("case").getAsString();
            if (c.has("refusal")) {
                assertThatThrownBy(() -> t.render(messages, generation)).as(what)
                        .isInstanceOf(ChatTemplate.Refusal.class)
                        .hasMessageContaining(c.get("refusal").getAsString());
                refused++;
            } else {
                assertThat(t.render(messages, generation)).as(what).isEqualTo(c.get("text").getAsString());
                rendered++;
            }
        }
        assertThat(rendered).isGreaterThanOrEqualTo(30);
        assertThat(refused).isGreaterThanOrEqualTo(3);
    }

    @Test
    void eachTemplateKnowsWhereAnAssistantTurnEnds() throws Exception {
        Map<String, String> ends = Map.of("qwen2.5-instruct", "<|im_end|>\n", "smollm2-instruct", "<|im_end|>\n",
                "tinyllama-chat", "</s>\n", "llama3-instruct", "<|eot_id|>", "gemma-it", "<end_of_turn>\n");
        for (var e : ends.entrySet()) {
            ChatTemplate t = ChatTemplate.read(folderWith(dir, e.getKey())).orElseThrow();
            assertThat(t.assistantEnd()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aFolderWithoutATemplateHasNone() throws Exception {
        assertThat(ChatTemplate.read(dir)).isEmpty();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertThat(ChatTemplate.read(dir)).isEmpty();
    }

    @Test
    void readsNamedTemplatesAddedTokenObjectsAndChatTemplateJinja() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"__type": "AddedToken", "content": "<s>", "special": true},
                 "chat_template": [{"name": "tool_use", "template": "tools"},
                                   {"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}"}]}""");
        ChatTemplate t = ChatTemplate.read(dir).orElseThrow();
        assertThat(t.render(List.of(ChatMessage.user("Hi")), false)).isEqualTo("<s>Hi");
        assertThat(t.origin()).contains("default");

        Files.writeString(dir.resolve("chat_template.jinja"), "[{{ messages | length }}]");
        assertThat(ChatTemplate.read(dir).orElseThrow().render(List.of(ChatMessage.user("Hi")), true)).isEqualTo("[1]");
    }

    @Test
    void malformedConfigsAreRefusedNamingTheFileAndKey() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");
        assertThatThrownBy(() -> ChatTemplate.read(dir)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("tokenizer_config.json").hasMessageContaining("chat_template");

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": [1, 2], \"chat_template\": \"x\"}");
        assertThatThrownBy(() -> ChatTemplate.read(dir)).hasMessageContaining("\"eos_token\"");

        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"rag\", \"template\": \"x\"}]}");
        assertThatThrownBy(() -> ChatTemplate.read(dir)).hasMessageContaining("\"default\"");

        Files.writeString(dir.resolve("tokenizer_config.json"), "{not json");
        assertThatThrownBy(() -> ChatTemplate.read(dir)).hasMessageContaining("tokenizer_config.json");
    }

    @Test
    void aBrokenTemplateFailsWithItsLineNotWithAStackOfJinjava() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}\n{{ m.content }\n", "test template", Map.of());
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.user("Hi")), true))
                .isInstanceOf(ScalesException.class).hasMessageContaining("test template")
                .hasMessageContaining("line");
    }

    @Test
    void toolSchemasAreWrittenWithPythonsJsonSpacing() {
        ChatTemplate t = new ChatTemplate("{{ {'name': 'f', 'args': [1, 2.5, true, none, 'é\"\\n']} | tojson }}|"
                + "{{ {'a': {'b': []} } | tojson(indent=2) }}", "test", Map.of());
        assertThat(t.render(List.of(), false)).isEqualTo(
                "{\"name\": \"f\", \"args\": [1, 2.5, true, null, \"é\\\"\\n\"]}|{\n  \"a\": {\n    \"b\": []\n  }\n}");
    }
}
