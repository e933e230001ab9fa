package dev.scales.core.prompt;

import dev.scales.core.ScalesException;
import java.util.List;

/**
 * How one example is written: a pattern with input slots and an {@code {output}} slot, e.g.
 * {@code "Review: {input}\nSentiment: {output}\n\n"}. The query is written with the same pattern cut
 * just before {@code {output}}, so the model's continuation is the answer.
 *
 * <p>A slot is a name in braces. With one input slot (whatever its name) the input fills it; with
 * several ({@code "Premise: {premise}\nHypothesis: {hypothesis}\nAnswer: {output}"}) the input is
 * written as {@link NamedFields} lines and each line fills its slot. Every input slot comes before
 * {@code {output}}.
 */
public record PromptTemplate(String pattern) {
    public static final String INPUT = "{input}";
    public static final String OUTPUT = "{output}";
    private static final java.util.regex.Pattern SLOT = java.util.regex.Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

    public PromptTemplate {
        if (pattern == null) {
            throw new ScalesException("template is missing");
        }
        int out = pattern.indexOf(OUTPUT);
        List<String> before = out < 0 ? slotsOf(pattern) : slotsOf(pattern.substring(0, out));
        List<String> after = out < 0 ? List.of() : slotsOf(pattern.substring(out + OUTPUT.length()));
        if (before.isEmpty() && after.isEmpty()) {
            throw new ScalesException("template must contain " + INPUT + " (or named fields such as {premise}): \""
                    + escape(pattern) + "\"");
        }
        if (out < 0) {
            throw new ScalesException("template must contain " + OUTPUT + ": \"" + escape(pattern) + "\"");
        }
        if (!after.isEmpty()) {
            throw new ScalesException("template must place {" + after.get(0) + "} before " + OUTPUT + ": \""
                    + escape(pattern) + "\"");
        }
    }

    /** The input slots' names in order of first appearance, e.g. [input] or [premise, hypothesis]. */
    public List<String> slots() {
        return slotsOf(pattern.substring(0, pattern.indexOf(OUTPUT)));
    }

    private static List<String> slotsOf(String text) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = SLOT.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals("output")) {
                names.add(m.group(1));
            }
        }
        return List.copyOf(names);
    }

    /** A full demonstration: every slot filled. */
    public String renderExample(String input, String output) {
        return fill(pattern, input, output);
    }

    /**
     * An input whose every field reads {@code text}: {@code text} itself for one slot, else one
     * {@link NamedFields} line per slot.
     */
    public String inputOf(String text) {
        List<String> slots = slots();
        if (slots.size() == 1) {
            return text;
        }
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        slots.forEach(s -> fields.put(s, text));
        return NamedFields.join(fields);
    }

    /** {@code text} with its slots filled in one pass (a value that contains "{output}" stays as it is). */
    private String fill(String text, String input, String output) {
        List<String> slots = slots();
        java.util.Map<String, String> values = slots.size() == 1 ? java.util.Map.of(slots.get(0), input)
                : NamedFields.split(input, slots);
        java.util.regex.Matcher m = SLOT.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = m.group(1).equals("output") ? output : values.get(m.group(1));
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * The query: the pattern up to {@code {output}}, with the input filled — less the spaces just
     * before the slot, which belong to the answer ({@link #answerPrefix()}). Byte-level BPE writes a
     * word with its leading space ("Ġpositive"); a prompt ending in a bare space would make the
     * model read, and score, the answer the way no demonstration wrote it.
     */
    public String renderQuery(String input) {
        String head = pattern.substring(0, pattern.indexOf(OUTPUT));
        return fill(head.substring(0, head.length() - answerPrefix().length()), input, OUTPUT);
    }

    /** The spaces or tabs right before {@code {output}}: the start of every answer. */
    public String answerPrefix() {
        String head = pattern.substring(0, pattern.indexOf(OUTPUT));
        int end = head.length();
        int start = end;
        while (start > 0 && (head.charAt(start - 1) == ' ' || head.charAt(start - 1) == '\t')) {
            start--;
        }
        return head.substring(start, end);
    }

    /** How an answer is written after the query: e.g. " positive" for the slot in "Sentiment: {output}". */
    public String answer(String output) {
        return output.isEmpty() || Character.isWhitespace(output.charAt(0)) ? output : answerPrefix() + output;
    }

    /** The text after {@code {output}}: what ends an answer (e.g. "\n\n"); a natural stop sequence. */
    public String answerTerminator() {
        return pattern.substring(pattern.indexOf(OUTPUT) + OUTPUT.length());
    }

    static String escape(String s) {
        return s.replace("\n", "\\n").replace("\t", "\\t");
    }
}
