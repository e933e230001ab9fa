package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TokenizerTest {
    @Test
    void gpt2TokenizerEncodesAsGpt2DoesAndRoundTripsUnicode() throws Exception {
        Path file = Path.of(TokenizerTest.class.getResource("/tokenizers/gpt2/tokenizer.json").toURI());
        try (Tokenizer t = Tokenizer.load(file)) {
            assertThat(t.encode("Hello world", false)).containsExactly(15496, 995);
            String text = "Größe — naïve café ☕ 日本語 🎹 and\ttabs\n\nnewlines";
            assertThat(t.decode(t.encode(text, false))).isEqualTo(text);
        }
    }

    @Test
    void neverTruncatesLongInputs() throws Exception {
        Path file = Path.of(TokenizerTest.class.getResource("/tokenizers/gpt2/tokenizer.json").toURI());
        try (Tokenizer t = Tokenizer.load(file)) {
            assertThat(t.encode(" word".repeat(2000), false)).hasSize(2000);
        }
    }

    @Test
    void theGoldenTokenizerMatchesItsReferenceCases() throws Exception {
        Path cases = Golden.folder("gpt2-tiny").getParent().resolve("tokenizer-cases.json");
        JsonElement root = JsonParser.parseString(Files.readString(cases));
        try (Tokenizer t = Tokenizer.load(Golden.folder("gpt2-tiny").resolve("tokenizer.json"))) {
            int checked = 0;
            for (JsonElement c : root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("cases")) {
                String text = c.getAsJsonObject().get("text").getAsString();
                JsonArray ids = c.getAsJsonObject().getAsJsonArray("ids");
                assertThat(t.encode(text, false)).as(text).containsExactly(Golden.longs(ids));
                checked++;
            }
            assertThat(checked).isGreaterThan(3);
        }
    }

    @Test
    void aCompletionIsEncodedAsRunningTextWritesItWhereItEndsInWhitespace() throws Exception {
        Path file = Path.of(TokenizerTest.class.getResource("/tokenizers/gpt2/tokenizer.json").toURI());
        try (Tokenizer t = Tokenizer.load(file)) {
            long[] alone = t.encode(" negative\n\n", false);
            long[] inText = t.encode(" negative\n\nReview", false);
            long[] continued = t.encodeContinued(" negative\n\n");

            // alone, byte-level BPE keeps the trailing newlines in one token; before a word it splits them
            assertThat(t.tokenText(alone[alone.length - 1])).isEqualTo("\n\n");
            assertThat(continued).containsExactly(java.util.Arrays.copyOf(inText, inText.length - 1));
            assertThat(t.decode(continued)).isEqualTo(" negative\n\n");
            // without trailing whitespace nothing changes
            assertThat(t.encodeContinued(" negative")).containsExactly(t.encode(" negative", false));
            assertThat(t.encodeContinued("")).isEmpty();
        }
    }

    /**
     * GPT-2's tokenizer with chat special tokens added (ids 50257, 50258) and a post-processor that
     * puts {@code <|endoftext|>} first, as Llama's puts BOS.
     */
    static Path chatTokenizer(Path dir) throws Exception {
        Path file = Path.of(TokenizerTest.class.getResource("/tokenizers/gpt2/tokenizer.json").toURI());
        com.google.gson.JsonObject t = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        JsonArray added = t.getAsJsonArray("added_tokens");
        for (String[] tok : new String[][] {{"50257", "<|im_start|>"}, {"50258", "<|im_end|>"}}) {
            added.add(JsonParser.parseString("{\"id\": " + tok[0] + ", \"content\": \"" + tok[1] + "\", "
                    + "\"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, "
                    + "\"special\": true}"));
        }
        t.add("post_processor", JsonParser.parseString("""
                {"type": "TemplateProcessing",
                 "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                 "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                 "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [50256], "tokens": ["<|endoftext|>"]}}}"""));
        Path out = dir.resolve("tokenizer.json");
        Files.writeString(out, t.toString());
        return out;
    }

    @Test
    void specialTokensInARenderedChatAreTheirSingleIdsAndBosComesOnce(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        try (Tokenizer t = Tokenizer.load(chatTokenizer(dir))) {
            long[] user = t.encode("user\nHi", false);
            long[] ids = t.encode("<|im_start|>user\nHi<|im_end|>", false);
            assertThat(ids[0]).isEqualTo(50257);
            assertThat(java.util.Arrays.copyOfRange(ids, 1, 1 + user.length)).containsExactly(user);
            assertThat(ids[ids.length - 1]).isEqualTo(50258);
            assertThat(ids).hasSize(user.length + 2);

            // the post-processor adds BOS ...
            assertThat(t.encode("Hi", true)).containsExactly(50256, t.encode("Hi", false)[0]);
            // ... but a text that begins with it (a template writing bos_token) gets it once
            assertThat(t.encode("<|endoftext|>Hi", true)).containsExactly(50256, t.encode("Hi", false)[0]);
            assertThat(t.decode(t.encode("<|endoftext|><|im_start|>user\nHi", true)))
                    .isEqualTo("<|endoftext|><|im_start|>user\nHi");
        }
    }
}
