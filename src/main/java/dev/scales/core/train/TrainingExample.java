package dev.scales.core.train;

/**
 * One training example: the loss counts only on {@code completion}; {@code prompt} is context
 * (empty for plain text, where every token counts).
 *
 * @param line   where it came from (1-based line of its file), for messages
 * @param label  for a labelled example, its label and how the answer writes it (the completion
 *               without its terminator), so a run can also measure accuracy; else null
 */
public record TrainingExample(int line, String prompt, String completion, Label label) {
    /** A label name and its written answer, e.g. "positive" written " positive". */
    public record Label(String name, String written) {}

    public TrainingExample(int line, String prompt, String completion) {
        this(line, prompt, completion, null);
    }

    public TrainingExample {
        prompt = prompt == null ? "" : prompt;
        if (completion == null || completion.isEmpty()) {
            throw new IllegalArgumentException("line " + line + ": empty completion");
        }
    }
}
