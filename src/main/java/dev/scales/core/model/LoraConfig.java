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

    /**
     * Every linear layer of a block (attention and MLP), as QLoRA recommends, rather than PEFT's
     * query and value only: on the bundled model, adapters on q and v alone never learned the
     * sentiment task at any learning rate, all seven reached it (docs/decisions/0009).
     */
    public static List<String> defaultTargets(Architecture architecture) {
        return architecture == Architecture.GPT2 ? List.of("c_attn", "c_proj", "c_fc")
                : List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    }
}
