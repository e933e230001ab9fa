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

    /** The query: the pattern up to (not including) {@code {output}}, with the input filled. */
    public String renderQuery(String input) {
        return pattern.substring(0, pattern.indexOf(OUTPUT)).replace(INPUT, input);
    }

    /** The text after {@code {output}}: what ends an answer (e.g. "\n\n"); a natural stop sequence. */
    public String answerTerminator() {
        return pattern.substring(pattern.indexOf(OUTPUT) + OUTPUT.length());
    }

    static String escape(String s) {
        return s.replace("\n", "\\n").replace("\t", "\\t");
    }
}
