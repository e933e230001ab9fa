package dev.scales.core.pretrain;

import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.HfBlock;

/**
 * Starts chosen attention heads of the first layers as previous-token heads, the first half of an
 * induction circuit (Olsson et al. 2022). With RoPE a head whose query and key are constant
 * attends by relative position only: for a frequency pair rotated by {@code θ} per position, a key
 * bias {@code c} and a query bias {@code c·e^{-iθ}} give the score {@code c²·cos((i − j − 1)θ)},
 * largest one position back. Summed over every pair, the fast ones make the peak sharp and the slow
 * ones make the score fall with distance, so no far position comes close (a few fast pairs alone
 * line up again a couple of hundred positions back). Qwen2's q/k biases (a standard HF
 * architecture) hold exactly such constants, so the prior needs no change to the model: it is an
 * initialization, and training is free to keep or undo it. The token-dependent parts of the query and key start small (std 0.02),
 * so at the start these heads attend almost only to the previous token.
 */
public final class PreviousTokenPrior {
    private PreviousTokenPrior() {}

    /** Bias magnitude per pair: the previous token outscores its neighbours by 10 logits or more. */
    static final float STRENGTH = 9f;

    /**
     * The query and key biases of one head, {@code [2][headDim]}, in the rotate-half layout HF's
     * RoPE uses (pair {@code f} is dimensions {@code f} and {@code f + headDim/2}).
     */
    static float[][] biases(int headDim, double[] inverseFrequencies) {
        float[] q = new float[headDim];
        float[] k = new float[headDim];
        for (int f = 0; f < headDim / 2; f++) {
            double theta = inverseFrequencies[f];
            k[f] = STRENGTH;
            q[f] = (float) (STRENGTH * Math.cos(theta));
            q[f + headDim / 2] = (float) (-STRENGTH * Math.sin(theta));
        }
        return new float[][] {q, k};
    }

    /**
     * Writes the prior into the first {@code heads} key heads (and the query heads that read them) of
     * each of the first {@code layers} layers of a freshly initialized Qwen2 model; {@link
     * Pretrain.Settings} has checked the counts.
     */
    static void apply(LoadedModel model, int heads, int layers) {
        if (heads == 0) {
            return;
        }
        ModelConfig c = model.config();
        int d = c.headDim();
        float[][] b = biases(d, c.ropeScaling().inverseFrequencies(d, c.ropeTheta()));
        int perKv = c.numHeads() / c.numKvHeads();
        var params = model.lm().namedParameters();
        for (int layer = 0; layer < layers; layer++) {
            HfBlock.Weight qb = params.get("model.layers." + layer + ".self_attn.q_proj.bias");
            HfBlock.Weight kb = params.get("model.layers." + layer + ".self_attn.k_proj.bias");
            if (qb == null || kb == null) {
                throw new ScalesException("the previous-token prior needs attention biases (qwen2), " + c.modelType()
                        + " has none");
            }
            float[] q = qb.array().toFloatArray();
            float[] k = kb.array().toFloatArray();
            for (int h = 0; h < heads; h++) {
                System.arraycopy(b[1], 0, k, h * d, d);
                for (int g = 0; g < perKv; g++) { // every query head reading that key head
                    System.arraycopy(b[0], 0, q, (h * perKv + g) * d, d);
                }
            }
            qb.array().set(q);
            kb.array().set(k);
        }
    }
}
