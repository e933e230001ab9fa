package dev.scales.core.prompt;

import dev.scales.core.ScalesException;

/**
 * How one example is written: a pattern with an {@code {input}} and an {@code {output}} slot,
 * e.g. {@code "Review: {input}\nSentiment: {output}\n\n"}. The query is written with the same
 * pattern cut just before {@code {output}}, so the model's continuation is the answer.
 */
public record PromptTemplate(String pattern) {
    public static final String INPUT = "{input}";
    public static final String OUTPUT = "{output}";

    public PromptTemplate {
        if (pattern == null) {
            throw new ScalesException("template is missing");
        }
        int in = pattern.indexOf(INPUT);
        int out = pattern.indexOf(OUTPUT);
        if (in < 0) {
            throw new ScalesException("template must contain " + INPUT + ": \"" + escape(pattern) + "\"");
        }
        if (out < 0) {
            throw new ScalesException("template must contain " + OUTPUT + ": \"" + escape(pattern) + "\"");
        }
        if (out < in) {
            throw new ScalesException("template must place " + INPUT + " before " + OUTPUT + ": \""
                    + escape(pattern) + "\"");
        }
    }

    /** A full demonstration: both slots filled. */
    public String renderExample(String input, String output) {
        return pattern.replace(INPUT, input).replace(OUTPUT, output);
    }

    /**
     * The query: the pattern up to {@code {output}}, with the input filled — less the spaces just
     * before the slot, which belong to the answer ({@link #answerPrefix()}). Byte-level BPE writes a
     * word with its leading space ("Ġpositive"); a prompt ending in a bare space would make the
     * model read, and score, the answer the way no demonstration wrote it.
     */
    public String renderQuery(String input) {
        String head = pattern.substring(0, pattern.indexOf(OUTPUT));
        return head.substring(0, head.length() - answerPrefix().length()).replace(INPUT, input);
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
