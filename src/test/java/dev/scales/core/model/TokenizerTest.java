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
}
