package dev.scales.core.model.llama;

import dev.scales.core.ScalesException;
import dev.scales.core.model.ModelConfig;
import dev.scales.core.model.nn.BlasDecode;
import dev.scales.core.model.nn.DecodeKernels;
import java.nio.FloatBuffer;

/** The Llama family's single-token step for {@link BlasDecode}, reading the slots in {@link LlamaInference}'s order. */
final class LlamaDecode implements BlasDecode.Step {
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int hd;
    private final int d;
    private final float eps;
    private final RotaryEmbedding rope;

    LlamaDecode(ModelConfig c, RotaryEmbedding rope) {
        layers = c.numLayers();
        heads = c.numHeads();
        kvHeads = c.numKvHeads();
        hd = c.headDim();
        d = c.hiddenSize();
        eps = (float) c.normEps();
        this.rope = rope;
    }

    @Override
    public void run(BlasDecode.Context c, int token, int position, FloatBuffer logits) {
        if (position >= rope.cosTable().getShape().get(0)) {
            throw new ScalesException("position " + position + " is past the model's "
                    + rope.cosTable().getShape().get(0) + " positions (its RoPE table)");
        }
        FloatBuffer cos = BlasDecode.floats(rope.cosTable());
        FloatBuffer sin = BlasDecode.floats(rope.sinTable());
        float scale = (float) (1 / Math.sqrt(hd));
        FloatBuffer x = c.vector(0, d);
        FloatBuffer h = c.vector(1, d);
        FloatBuffer qkv = c.vector(2, (heads + 2 * kvHeads) * hd);
        FloatBuffer q = qkv.slice(0, heads * hd);
        FloatBuffer k = qkv.slice(heads * hd, kvHeads * hd);
        FloatBuffer v = qkv.slice((heads + kvHeads) * hd, kvHeads * hd);
        FloatBuffer y = c.vector(5, heads * hd);
        int inner = c.rows(1 + 22);
        FloatBuffer gateUp = c.vector(8, 2 * inner);
        FloatBuffer gate = gateUp.slice(0, inner);
        FloatBuffer up = gateUp.slice(inner, inner);
        c.row(0, token, x, false);
        for (int i = 0; i < layers; i++) {
            int o = 1 + 39 * i;
            DecodeKernels.rmsNorm(x, d, c.weight(o), eps, h);
            c.project(o + 37, o + 2, 3, h, qkv);
            rotate(q, heads, cos, sin, position);
            rotate(k, kvHeads, cos, sin, position);
            c.attend(i, q, k, v, heads, kvHeads, hd, scale, y);
            c.project(o + 17, y, x, true);
            DecodeKernels.rmsNorm(x, d, c.weight(o + 1), eps, h);
            c.project(o + 38, o + 22, 2, h, gateUp);
            for (int j = 0; j < inner; j++) {
                float g = gate.get(j);
                gate.put(j, g / (1 + (float) Math.exp(-g)) * up.get(j));
            }
            c.project(o + 32, gate, x, true);
        }
        int o = 1 + 39 * layers;
        DecodeKernels.rmsNorm(x, d, c.weight(o), eps, h);
        c.project(o + 1, h, logits, false);
    }

    /** x·cos + rotate_half(x)·sin for each of {@code n} heads, at table row {@code position}. */
    private void rotate(FloatBuffer x, int n, FloatBuffer cos, FloatBuffer sin, int position) {
        int half = hd / 2;
        int row = position * hd;
        for (int head = 0; head < n; head++) {
            int at = head * hd;
            for (int i = 0; i < half; i++) {
                float a = x.get(at + i);
                float b = x.get(at + i + half);
                x.put(at + i, a * cos.get(row + i) - b * sin.get(row + i));
                x.put(at + i + half, b * cos.get(row + i + half) + a * sin.get(row + i + half));
            }
        }
    }
}
