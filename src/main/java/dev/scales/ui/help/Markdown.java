package dev.scales.ui.help;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Markdown the user guide is written in, read into blocks and inline spans: headings,
 * paragraphs, bulleted and numbered items, fenced code; bold, italic, code and link text inline.
 * Anything else reads as plain text, so a guide edited beyond the subset still shows every word.
 */
public final class Markdown {
    private static final Pattern HEADING = Pattern.compile("(#{1,6})\\s+(.*)");
    private static final Pattern BULLET = Pattern.compile("[-*]\\s+(.*)");
    private static final Pattern NUMBERED = Pattern.compile("(\\d+\\.)\\s+(.*)");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)\\]\\([^)]*\\)");

    private Markdown() {}

    public enum Kind { HEADING, PARAGRAPH, BULLET, NUMBERED, CODE }

    /**
     * One block: a heading (level 1–6), a paragraph, a list item (its marker "•" or "3."), or code
     * (its lines as written).
     */
    public record Block(Kind kind, int level, String marker, String text) {}

    public enum Style { PLAIN, BOLD, ITALIC, CODE }

    public record Span(String text, Style style) {}

    /** The blocks of {@code source}, in order. */
    public static List<Block> parse(String source) {
        List<Block> blocks = new ArrayList<>();
        Block open = null; // a paragraph or list item that following lines continue
        StringBuilder code = null;
        for (String line : source.replace("\r", "").split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                if (code != null) {
                    blocks.add(new Block(Kind.CODE, 0, "", code.toString().stripTrailing()));
                }
                code = code == null ? new StringBuilder() : null;
                open = null;
            } else if (code != null) {
                code.append(line).append('\n');
            } else if (line.isBlank()) {
                open = null;
            } else if (open != null && (line.startsWith(" ") || open.kind() == Kind.PARAGRAPH && !startsBlock(line))) {
                open = new Block(open.kind(), open.level(), open.marker(), open.text() + " " + line.strip());
                blocks.set(blocks.size() - 1, open);
            } else {
                open = block(line);
                blocks.add(open);
                if (open.kind() == Kind.HEADING) {
                    open = null;
                }
            }
        }
        if (code != null) {
            blocks.add(new Block(Kind.CODE, 0, "", code.toString().stripTrailing())); // an unclosed fence
        }
        return blocks;
    }

    private static boolean startsBlock(String line) {
        return HEADING.matcher(line).matches() || BULLET.matcher(line).matches() || NUMBERED.matcher(line).matches();
    }

    private static Block block(String line) {
        Matcher m = HEADING.matcher(line);
        if (m.matches()) {
            return new Block(Kind.HEADING, m.group(1).length(), "", m.group(2).strip());
        }
        m = BULLET.matcher(line);
        if (m.matches()) {
            return new Block(Kind.BULLET, 0, "•", m.group(1).strip());
        }
        m = NUMBERED.matcher(line);
        if (m.matches()) {
            return new Block(Kind.NUMBERED, 0, m.group(1), m.group(2).strip());
        }
        return new Block(Kind.PARAGRAPH, 0, "", line.strip());
    }

    /** The inline spans of a block's text; a marker without its closing twin is kept as text. */
    public static List<Span> spans(String text) {
        String s = LINK.matcher(text).replaceAll("$1");
        List<Span> spans = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            String marker = s.startsWith("**", i) ? "**" : s.charAt(i) == '`' ? "`" : s.charAt(i) == '*' ? "*" : null;
            int end = marker == null ? -1 : s.indexOf(marker, i + marker.length());
            if (marker != null && end > i + marker.length()) {
                if (!plain.isEmpty()) {
                    spans.add(new Span(plain.toString(), Style.PLAIN));
                    plain.setLength(0);
                }
                Style style = marker.equals("**") ? Style.BOLD : marker.equals("`") ? Style.CODE : Style.ITALIC;
                spans.add(new Span(s.substring(i + marker.length(), end), style));
                i = end + marker.length();
            } else {
                plain.append(s.charAt(i++));
            }
        }
        if (!plain.isEmpty()) {
            spans.add(new Span(plain.toString(), Style.PLAIN));
        }
        return spans;
    }
}
