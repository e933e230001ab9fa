package dev.scales.core.model;

import dev.scales.core.ScalesException;
import java.util.List;

/**
 * LoRA settings, validated when built.
 *
 * @param rank     r, the adapter's inner width
 * @param alpha    the scale numerator: the update is multiplied by alpha / r
 * @param dropout  dropout on the adapter's input while training
 * @param targets  module names to adapt (the last part of the path: q_proj, v_proj, c_attn…)
 */
public record LoraConfig(int rank, float alpha, float dropout, List<String> targets) {
    public LoraConfig {
        if (rank < 1 || rank > 4096) {
            throw new ScalesException("LoRA rank must be between 1 and 4096, got " + rank);
        }
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw new ScalesException("LoRA alpha must be positive, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new ScalesException("LoRA dropout must be within [0, 1), got " + dropout);
        }
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new ScalesException("LoRA needs at least one target module");
        }
    }

    /** The layers adapters go on by default for this family ({@link Architecture#defaultLoraTargets}). */
    public static List<String> defaultTargets(Architecture architecture) {
        return architecture.defaultLoraTargets();
    }
}
