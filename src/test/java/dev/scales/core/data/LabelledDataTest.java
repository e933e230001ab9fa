package dev.scales.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledDataTest {
    @TempDir
    Path dir;

    @Test
    void readsJsonlWithConfigurableFieldsAndReportsRowsWithoutThem() throws Exception {
        Path f = dir.resolve("test.jsonl");
        Files.writeString(f, "{\"text\": \"good\", \"y\": \"pos\"}\n{\"text\": \"bad\"}\n{\"text\": \"ok\", \"y\": \"neg\"}\n");

        LabelledData.Result r = LabelledData.read(f, "text", "y");

        assertThat(r.rows()).extracting(LabelledData.Row::input).containsExactly("good", "ok");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).contains("\"y\"");
        });
    }

    @Test
    void aLabelMapNamesWhatStoredValuesStandForAndAnUnmappedValueIsReported() throws Exception {
        Path f = dir.resolve("imdb.csv");
        Files.writeString(f, "text,label\ngreat film,1\ndull,0\nodd,2\n");
        var fields = new LabelledData.Fields("text", "label", LabelledData.Fields.parseLabelNames("0=negative, 1 → positive"));

        LabelledData.Result r = LabelledData.read(f, fields);

        assertThat(r.rows()).extracting(LabelledData.Row::label).containsExactly("positive", "negative");
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.message()).contains("\"2\"").contains("0=negative, 1=positive");
        });
        assertThat(fields.labelNamesText()).isEqualTo("0=negative, 1=positive");
        assertThat(LabelledData.Fields.parseLabelNames(" ")).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabelledData.Fields.parseLabelNames("0=negative, 1"))
                .hasMessageContaining("\"1\" should read value=label");
    }

    @Test
    void excelsCsvWithAByteOrderMarkIsReadAndLinesAreCountedAfterMultiLineCells() throws Exception {
        Path f = dir.resolve("excel.csv");
        Files.writeString(f, "\uFEFFinput,label\r\n\"first line\r\nsecond line\",pos\r\nshort\r\nfine,neg\r\n");

        LabelledData.Result r = LabelledData.read(f, "input", "label");

        assertThat(r.rows()).extracting(LabelledData.Row::input).containsExactly("first line\r\nsecond line", "fine");
        assertThat(r.rows()).extracting(LabelledData.Row::line).containsExactly(2, 5);
        assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.toString()).startsWith("excel.csv:4:"));
    }

    @Test
    void readsCsvByHeaderWithQuotedCommasAndReportsShortRows() throws Exception {
        Path f = dir.resolve("test.csv");
        Files.writeString(f, "label,input\npos,\"warm, kind staff\"\nneg\nneg,cold fries\n");

        LabelledData.Result r = LabelledData.read(f, "input", "label");

        assertThat(r.rows()).extracting(LabelledData.Row::input).containsExactly("warm, kind staff", "cold fries");
        assertThat(r.rows()).extracting(LabelledData.Row::line).containsExactly(2, 4);
        assertThat(r.problems()).extracting(p -> p.line()).containsExactly(3);
    }

    @Test
    void aCsvHeaderWithoutTheFieldsIsNamed() throws Exception {
        Path f = dir.resolve("test.csv");
        Files.writeString(f, "a,b\n1,2\n");

        assertThatThrownBy(() -> LabelledData.read(f, "input", "label")).isInstanceOf(ScalesException.class)
                .hasMessageContaining("test.csv").hasMessageContaining("[a, b]");
    }

    @Test
    void theFieldsOfAFileAreListedAndCommonNamesAreRecognised() throws Exception {
        Path jsonl = dir.resolve("test.jsonl");
        Files.writeString(jsonl, "{\"id\": 1, \"Review\": \"good\"}\n{\"id\": 2, \"Review\": \"bad\", \"Sentiment\": \"neg\"}\n");
        Path csv = dir.resolve("test.csv");
        Files.writeString(csv, "question,answer\nwhere?,here\n");

        assertThat(LabelledData.fields(jsonl)).containsExactly("id", "Review", "Sentiment");
        assertThat(LabelledData.guess(LabelledData.fields(jsonl))).contains(new LabelledData.Fields("Review", "Sentiment"));
        assertThat(LabelledData.fields(csv)).containsExactly("question", "answer");
        assertThat(LabelledData.guess(LabelledData.fields(csv))).contains(new LabelledData.Fields("question", "answer"));
        assertThat(LabelledData.guess(java.util.List.of("a", "b"))).isEmpty();
        assertThat(LabelledData.read(csv, new LabelledData.Fields("question", "answer")).rows())
                .containsExactly(new LabelledData.Row(2, "where?", "here"));
    }

    @Test
    void severalInputFieldsBecomeOneNamedLineEachAndMissingOnesAreNamed() throws Exception {
        Path jsonl = dir.resolve("nli.jsonl");
        Files.writeString(jsonl, "{\"premise\": \"It rains.\", \"hypothesis\": \"It is dry.\", \"label\": \"0\"}\n"
                + "{\"premise\": \"It snows.\", \"label\": \"1\"}\n");
        LabelledData.Fields fields = LabelledData.Fields.of(java.util.List.of("premise", "hypothesis"), "label",
                java.util.Map.of("0", "no", "1", "yes"));

        LabelledData.Result r = LabelledData.read(jsonl, fields);

        assertThat(fields.inputs()).containsExactly("premise", "hypothesis");
        assertThat(r.rows()).containsExactly(new LabelledData.Row(1, "premise: It rains.\nhypothesis: It is dry.", "no"));
        assertThat(r.problems()).singleElement().hasToString("nli.jsonl:2: needs \"premise, hypothesis\" and a "
                + "non-empty \"label\", found [premise, label]");

        Path csv = dir.resolve("nli.csv");
        Files.writeString(csv, "premise,label\nIt rains.,0\n");
        assertThatThrownBy(() -> LabelledData.read(csv, fields)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("lacks \"hypothesis\"");
        assertThatThrownBy(() -> new LabelledData.Fields("text, label", "label"))
                .hasMessageContaining("\"label\" cannot also be an input field");
    }

    @Test
    void aTemplatesSlotsAreRecognisedAsTheInputFieldsWhenTheDataHasThemAll() {
        java.util.List<String> names = java.util.List.of("id", "premise", "hypothesis", "label");

        assertThat(LabelledData.guess(names, java.util.List.of("premise", "hypothesis")))
                .contains(new LabelledData.Fields("premise, hypothesis", "label"));
        assertThat(LabelledData.guess(java.util.List.of("text", "review", "label"), java.util.List.of("review")))
                .contains(new LabelledData.Fields("review", "label"));
        assertThat(LabelledData.guess(java.util.List.of("text", "label"), java.util.List.of("premise", "hypothesis")))
                .contains(new LabelledData.Fields("text", "label"));
    }
}
