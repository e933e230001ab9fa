package dev.scales.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlTest {
    @TempDir
    Path dir;

    @Test
    void readsObjectsAndReportsEveryMalformedLineWithItsNumber() throws Exception {
        Path f = dir.resolve("train.jsonl");
        Files.writeString(f, "{\"input\": \"good\", \"label\": \"positive\"}\n"
                + "\n"
                + "{\"input\": \"broken\", \n"
                + "[1, 2]\n"
                + "{\"input\": \"bad\", \"label\": \"negative\", \"score\": 2}\n");

        Jsonl.Result r = Jsonl.read(f);

        assertThat(r.rows()).extracting(Jsonl.Row::line).containsExactly(1, 5);
        assertThat(r.rows().get(1).fields()).containsEntry("label", "negative").containsEntry("score", "2");
        assertThat(r.problems()).extracting(Jsonl.Problem::line).containsExactly(3, 4);
        assertThat(r.problems().get(0).toString()).startsWith("train.jsonl:3: invalid JSON");
        assertThat(r.problems().get(1).message()).isEqualTo("expected a JSON object, found an array");
    }

    @Test
    void aByteOrderMarkIsReadAndLenientJsonIsReportedNotGuessed() throws Exception {
        Path f = dir.resolve("train.jsonl");
        Files.writeString(f, "\uFEFF{\"input\": \"good\", \"label\": \"pos\"}\n"
                + "{input: \"bad\", label: \"neg\"}\n"
                + "{'input': 'x', 'label': 'y'}\n"
                + "{\"input\": \"ok\", \"label\": \"pos\"} trailing\n");

        Jsonl.Result r = Jsonl.read(f);

        assertThat(r.rows()).singleElement().satisfies(row -> assertThat(row.fields()).containsEntry("input", "good"));
        assertThat(r.problems()).extracting(Jsonl.Problem::line).containsExactly(2, 3, 4);
        assertThat(r.problems()).allSatisfy(p -> assertThat(p.message()).startsWith("invalid JSON"));
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() {
        assertThatThrownBy(() -> Jsonl.read(dir.resolve("nope.jsonl"))).isInstanceOf(ScalesException.class)
                .hasMessageContaining("nope.jsonl");
    }
}
