package dev.scales.core.train;

/**
 * One training example: the loss counts only on {@code completion}; {@code prompt} is context
 * (empty for plain text, where every token counts).
 *
 * @param line  where it came from (1-based line of its file), for messages
 */
public record TrainingExample(int line, String prompt, String completion) {
    public TrainingExample {
        prompt = prompt == null ? "" : prompt;
        if (completion == null || completion.isEmpty()) {
            throw new IllegalArgumentException("line " + line + ": empty completion");
        }
    }
}
