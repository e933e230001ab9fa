package dev.scales.core.generate;

import java.util.List;

/**
 * The outcome of one generation.
 *
 * @param promptIds   the prompt as token ids
 * @param tokens      the generated tokens in order
 * @param text        the generated text (cut before a stop sequence)
 * @param stop        why generation ended
 * @param prefillNanos time to read the prompt
 * @param decodeNanos time to generate the tokens after the first
 */
public record GenerationResult(long[] promptIds, List<GeneratedToken> tokens, String text, StopReason stop,
                               long prefillNanos, long decodeNanos) {
    /** Why a generation ended. */
    public enum StopReason { MAX_TOKENS, EOS, STOP_SEQUENCE, CONTEXT_FULL, CANCELLED }

    public GenerationResult {
        promptIds = promptIds.clone();
        tokens = List.copyOf(tokens);
    }

    @Override
    public long[] promptIds() {
        return promptIds.clone();
    }

    /** Generated tokens per second after the first (the KV-cache decode speed). */
    public double decodeTokensPerSecond() {
        return tokens.size() <= 1 || decodeNanos == 0 ? 0 : (tokens.size() - 1) / (decodeNanos / 1e9);
    }
}
