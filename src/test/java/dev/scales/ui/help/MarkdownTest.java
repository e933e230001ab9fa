package dev.scales.ui.help;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.ui.help.Markdown.Block;
import dev.scales.ui.help.Markdown.Kind;
import dev.scales.ui.help.Markdown.Span;
import dev.scales.ui.help.Markdown.Style;
import org.junit.jupiter.api.Test;

class MarkdownTest {
    @Test
    void readsHeadingsParagraphsListItemsAndCodeAsTheGuideWritesThem() {
        String source = """
                # Title
                A paragraph over
                two lines.

                - a bullet
                  that goes on
                - another
                1. first step
                   *Say:* hello
                ```
                scales info   # versions
                  indented
                ```
                ### Small
                """;

        assertThat(Markdown.parse(source)).containsExactly(
                new Block(Kind.HEADING, 1, "", "Title"),
                new Block(Kind.PARAGRAPH, 0, "", "A paragraph over two lines."),
                new Block(Kind.BULLET, 0, "•", "a bullet that goes on"),
                new Block(Kind.BULLET, 0, "•", "another"),
                new Block(Kind.NUMBERED, 0, "1.", "first step *Say:* hello"),
                new Block(Kind.CODE, 0, "", "scales info   # versions\n  indented"),
                new Block(Kind.HEADING, 3, "", "Small"));
    }

    @Test
    void aParagraphEndsWhereAListOrAHeadingBegins() {
        assertThat(Markdown.parse("Text\n- item\n## Next\nmore")).extracting(Block::kind)
                .containsExactly(Kind.PARAGRAPH, Kind.BULLET, Kind.HEADING, Kind.PARAGRAPH);
    }

    @Test
    void marksBoldItalicCodeAndLinkTextInline() {
        assertThat(Markdown.spans("Press **Run** (*or* `Ctrl+Enter`), see [the README](README.md)")).containsExactly(
                new Span("Press ", Style.PLAIN), new Span("Run", Style.BOLD), new Span(" (", Style.PLAIN),
                new Span("or", Style.ITALIC), new Span(" ", Style.PLAIN), new Span("Ctrl+Enter", Style.CODE),
                new Span("), see the README", Style.PLAIN));
    }

    @Test
    void aMarkerWithoutItsTwinIsPlainText() {
        assertThat(Markdown.spans("2 * 3 and `open")).containsExactly(new Span("2 * 3 and `open", Style.PLAIN));
        assertThat(Markdown.spans("`*.safetensors`")).containsExactly(new Span("*.safetensors", Style.CODE));
    }

    @Test
    void theBundledGuideIsInTheJarAndSpeaksToATeacherAndAPractitioner() {
        String guide = GuideWindow.text();

        assertThat(Markdown.parse(guide)).filteredOn(b -> b.kind() == Kind.HEADING).extracting(Block::text)
                .contains("Scales user guide", "For a teacher", "The Lesson's four steps", "A 10-minute classroom plan",
                        "For a practitioner", "Fine-tuning", "Compare", "The command line");
        assertThat(guide).doesNotContain("missing from this build");
    }
}
