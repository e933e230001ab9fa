package dev.scales.core.train;

import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.FusedHeadLoss;
import dev.scales.core.util.Bytes;
import java.util.List;

/**
 * What a training run needs beyond the loaded weights, estimated before it starts: gradients and
 * AdamW's two moments for what it trains (every weight, or the LoRA adapters), and the activations
 * a step keeps for its backward pass — per token and layer about 8 hidden-size and 10
 * intermediate-size floats (what autograd saves of the norms, projections, attention and the gated
 * MLP), plus three vocabulary-size floats for the logits, their log-softmax and its gradient —
 * only at the positions whose prediction counts (a labelled row's label tokens), and none where
 * the CPU's fused head and loss runs ({@link FusedHeadLoss}: one chunk of under 32 MiB).
 * Measured (LoRA, peak above the loaded weights, every position counted, logits materialised):
 * Qwen2.5-0.5B shape, batch 4 × 512, 14.1 GB (this gives 14.8 GB); SmolLM2-135M shape, batch
 * 4 × 256, 3.2 GB (3.1 GB).
 *
 * @param trainable  trained parameters
 * @param gradients  bytes of their gradients (F32) and, for a full fine-tune, of the copy of the
 *                   weights a failed run is undone from
 * @param optimizer  bytes of AdamW's first and second moments (F32)
 * @param activations bytes a step holds for the longest micro-batch
 * @param tokens     tokens in that micro-batch (batch × longest sequence)
 */
public record TrainingMemory(long trainable, long gradients, long optimizer, long activations, long tokens) {
    public static TrainingMemory estimate(LoadedModel model, FineTuneSettings s, List<FineTuneRun.Sequence> data) {
        ModelConfig c = model.config();
        long trainable;
        if (s.isLora()) {
            long perProjection = (long) s.lora().rank() * (c.hiddenSize() + Math.max(c.hiddenSize(), c.intermediateSize()));
            trainable = perProjection * s.lora().targets().size() * c.numLayers();
        } else {
            trainable = model.lm().namedParameters().values().stream().mapToLong(w -> w.shape().size()).sum();
        }
        int longest = data.stream().mapToInt(q -> q.ids().length).max().orElse(0);
        int rows = Math.min(s.batchSize(), data.size());
        long tokens = (long) rows * longest;
        long perToken = (long) c.numLayers() * (8L * c.hiddenSize() + 10L * c.intermediateSize());
        long logits = FusedHeadLoss.applies(model.lm().headWeight()) ? FusedHeadLoss.CHUNK_BYTES
                : 4L * 3 * c.vocabSize() * rows * data.stream().mapToInt(TrainingMemory::counted).max().orElse(0);
        // A full fine-tune also keeps a copy of the weights to put back if the run fails, and with
        // early stopping another of the best ones.
        long gradients = s.isLora() ? 4 * trainable : (s.patience() > 0 ? 12 : 8) * trainable;
        return new TrainingMemory(trainable, gradients, 8 * trainable, 4 * perToken * tokens + logits, tokens);
    }

    /** The positions of a sequence whose prediction counts in the loss. */
    private static int counted(FineTuneRun.Sequence q) {
        int n = 0;
        for (float w : q.weights()) {
            n += w != 0 ? 1 : 0;
        }
        return n;
    }

    public long total() {
        return gradients + optimizer + activations;
    }

    /**
     * Refuses the run, naming the numbers, when it needs more than {@code free} bytes ({@code -1}:
     * unknown, nothing is refused).
     */
    public void require(long free, LoadedModel model) {
        if (free >= 0 && total() > free) {
            throw new ScalesException("this run needs about " + Bytes.format(total()) + " beyond " + model.name()
                    + "'s weights — gradients" + (trainable * 4 == gradients ? " " : " and a copy of the weights ")
                    + Bytes.format(gradients) + " and AdamW moments "
                    + Bytes.format(optimizer) + " for " + Bytes.count(trainable) + " trained parameters, activations "
                    + Bytes.format(activations) + " for " + tokens + " tokens a step — but "
                    + (model.device().isGpu() ? "GPU " + model.device().getDeviceId() : "this machine") + " has "
                    + Bytes.format(free) + " free; use LoRA, a smaller batch (with gradient accumulation)"
                    + " or shorter examples");
        }
    }
}
