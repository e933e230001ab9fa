package dev.scales.core.prompt;

import java.util.Objects;

/**
 * One demonstration of a few-shot prompt.
 *
 * @param input    the example's input text, e.g. a review
 * @param output   the answer shown for it, e.g. "positive"
 * @param enabled  whether it is part of the rendered prompt
 */
public record Example(String input, String output, boolean enabled) {
    public Example {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }

    public Example(String input, String output) {
        this(input, output, true);
    }

    public Example withEnabled(boolean on) {
        return new Example(input, output, on);
    }
}
