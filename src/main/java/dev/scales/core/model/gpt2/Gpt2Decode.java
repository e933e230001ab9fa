package dev.scales.core.model.gpt2;

import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.BlasDecode;
import dev.scales.core.model.nn.DecodeKernels;
import java.nio.FloatBuffer;

/** GPT-2's single-token step for {@link BlasDecode}, reading the slots in {@link Gpt2Inference}'s order. */
final class Gpt2Decode implements BlasDecode.Step {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    private final int layers;
    private final int heads;
    private final int d;
    private final float eps;

    Gpt2Decode(ModelConfig c) {
        layers = c.numLayers();
        heads = c.numHeads();
        d = c.hiddenSize();
        eps = (float) c.normEps();
    }

    /** True when this step computes what the script does: GELU's tanh form (exact GELU stays in the script). */
    static boolean supports(ModelConfig c) {
        return !c.activation().equals("gelu");
    }

    @Override
    public void run(BlasDecode.Context c, int token, int position, FloatBuffer logits) {
        int hd = d / heads;
        float scale = (float) (1 / Math.sqrt(hd));
        FloatBuffer x = c.vector(0, d);
        FloatBuffer h = c.vector(1, d);
        FloatBuffer qkv = c.vector(2, 3 * d);
        FloatBuffer y = c.vector(3, d);
        c.row(0, token, x, false);
        c.row(1, position, x, true);
        for (int i = 0; i < layers; i++) {
            int o = 2 + 24 * i;
            DecodeKernels.layerNorm(x, d, c.weight(o), c.weight(o + 1), eps, h);
            c.project(o + 2, h, qkv, false);
            c.attend(i, qkv.slice(0, d), qkv.slice(d, d), qkv.slice(2 * d, d), heads, heads, hd, scale, y);
            c.project(o + 7, y, x, true);
            DecodeKernels.layerNorm(x, d, c.weight(o + 12), c.weight(o + 13), eps, h);
            int inner = c.rows(o + 14);
            FloatBuffer mlp = c.vector(4, inner);
            c.project(o + 14, h, mlp, false);
            for (int j = 0; j < inner; j++) {
                float v = mlp.get(j);
                // 0.5·v·(1 + tanh(z)) = v · (1 − 1 / (exp(2z) + 1)): one exp (Math.tanh is not an intrinsic)
                double z = SQRT_2_OVER_PI * (v + 0.044715f * v * v * v);
                mlp.put(j, (float) (v * (1 - 1 / (Math.exp(2 * z) + 1))));
            }
            c.project(o + 19, mlp, x, true);
        }
        int o = 2 + 24 * layers;
        DecodeKernels.layerNorm(x, d, c.weight(o), c.weight(o + 1), eps, h);
        c.project(o + 2, h, logits, false);
    }
}
