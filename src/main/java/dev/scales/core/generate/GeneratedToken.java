package dev.scales.core.generate;

import java.util.List;

/**
 * One generated token, as streamed to listeners.
 *
 * @param index         0 for the first generated token
 * @param id            its id
 * @param text          the text it added (may be empty while a multi-byte character is incomplete)
 * @param probability   the model's probability for it (softmax of the raw logits)
 * @param alternatives  the most likely tokens at this step, best first
 */
public record GeneratedToken(int index, int id, String text, double probability, List<Alternative> alternatives) {
    public GeneratedToken {
        alternatives = List.copyOf(alternatives);
    }

    /** A token the model also considered, with its probability. */
    public record Alternative(int id, String text, double probability) {}
}
