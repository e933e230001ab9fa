package dev.scales.core.model;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.model.nn.WeightGroups;
import java.util.Map;

/** A decoder-only language model: token ids in, next-token logits out. */
public interface CausalLm {
    ModelConfig config();

    /**
     * One forward pass.
     *
     * @param ids        (B, T) int64 token ids
     * @param positions  (B, T) int64 absolute positions
     * @param bias       additive attention mask (B|1, 1, T, S), or null when nothing is masked
     * @param cache      keys/values of earlier positions, extended in place; null for none
     * @param lastOnly   when true only the last position's logits are computed (B, 1, V)
     * @return logits (B, T, V), or (B, 1, V) with {@code lastOnly}
     */
    NDArray forward(NDArray ids, NDArray positions, NDArray bias, KvCache cache, boolean lastOnly);

    /**
     * Training's forward up to the output head: the final norm's output (B, T, C), so that
     * {@code forward}'s logits are these states times {@link #headWeight()}ᵀ.
     */
    NDArray hiddenStates(NDArray ids, NDArray positions, NDArray bias);

    /**
     * The output head's matrix (V, C), the token embeddings when they are tied, or null when the
     * head is more than one matrix (a bias or a LoRA adapter of its own).
     */
    NDArray headWeight();

    /** Every parameter by its HuggingFace state-dict name. */
    Map<String, HfBlock.Weight> namedParameters();

    /** The weights multiplied by the same input that the loader lays out together (none by default). */
    default WeightGroups weightGroups() {
        return new WeightGroups();
    }

    /** The block itself, for DJL APIs that take a {@code Block}. */
    HfBlock block();
}
