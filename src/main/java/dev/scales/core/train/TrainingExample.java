package dev.scales.core.train;

import java.util.List;

/**
 * One training example: text in segments, of which the loss counts only on the trained ones — a
 * prompt and its completion, or a conversation whose assistant turns are trained.
 *
 * @param line        where it came from (1-based line of its file), for messages
 * @param segments    the text in order; at least one trained segment with text
 * @param label       for a labelled example, its label and how the answer writes it (the completion
 *                    without its terminator), so a run can also measure accuracy; else null
 * @param endsWithEos whether the model should learn to stop after it (EOS appended)
 */
public record TrainingExample(int line, List<Segment> segments, Label label, boolean endsWithEos) {
    /** A label name and its written answer, e.g. "positive" written " positive". */
    public record Label(String name, String written) {}

    /** A stretch of text, trained or context. */
    public record Segment(String text, boolean trained) {}

    public TrainingExample {
        segments = List.copyOf(segments);
        if (segments.stream().noneMatch(s -> s.trained() && !s.text().isEmpty())) {
            throw new IllegalArgumentException("line " + line + ": empty completion");
        }
    }

    /** A prompt and its completion; the completion ends with EOS unless it is a labelled answer. */
    public TrainingExample(int line, String prompt, String completion, Label label) {
        this(line, List.of(new Segment(prompt == null ? "" : prompt, false),
                new Segment(completion == null ? "" : completion, true)), label, label == null);
    }

    public TrainingExample(int line, String prompt, String completion) {
        this(line, prompt, completion, null);
    }

    /** A conversation as its chat template wrote it; its own end-of-turn text ends each trained turn. */
    public static TrainingExample conversation(int line, List<Segment> segments) {
        return new TrainingExample(line, segments, null, false);
    }

    /** The context before the first trained segment. */
    public String prompt() {
        StringBuilder sb = new StringBuilder();
        for (Segment s : segments) {
            if (s.trained()) {
                break;
            }
            sb.append(s.text());
        }
        return sb.toString();
    }

    /** Everything from the first trained segment on. */
    public String completion() {
        StringBuilder sb = new StringBuilder();
        boolean on = false;
        for (Segment s : segments) {
            on |= s.trained();
            if (on) {
                sb.append(s.text());
            }
        }
        return sb.toString();
    }
}
