package dev.scales.core.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviousTokenPriorTest {
    private static Pretrain.Settings qwen(int priorHeads) {
        return qwen(priorHeads, 1);
    }

    private static Pretrain.Settings qwen(int priorHeads, int priorLayers) {
        return new Pretrain.Settings("qwen2", 5, 1, 4, 64, 1e-9f, 1, 400, 32, 2, 2, 3f, 1000, 0, 0, 0, 0, priorHeads,
                priorLayers);
    }

    private static final Pretrain.Listener QUIET = new Pretrain.Listener() {
        @Override
        public void onStep(Pretrain.Step step) {}

        @Override
        public void onProbe(Pretrain.Probe probe) {}
    };

    @Test
    void theBiasesAloneAttendToThePreviousTokenAtEveryPositionOfALongContext() {
        int d = 32;
        double[] inv = new double[d / 2];
        for (int f = 0; f < d / 2; f++) {
            inv[f] = Math.pow(10000, -2.0 * f / d);
        }
        float[][] b = PreviousTokenPrior.biases(d, inv);
        for (int i = 1; i < 2048; i++) {
            double[] scores = new double[i + 1];
            for (int j = 0; j <= i; j++) {
                // rotate each (f, f + d/2) pair of the query by i·θ and of the key by j·θ, then dot
                double s = 0;
                for (int f = 0; f < d / 2; f++) {
                    double qa = i * inv[f];
                    double ka = j * inv[f];
                    double q1 = b[0][f] * Math.cos(qa) - b[0][f + d / 2] * Math.sin(qa);
                    double q2 = b[0][f + d / 2] * Math.cos(qa) + b[0][f] * Math.sin(qa);
                    double k1 = b[1][f] * Math.cos(ka) - b[1][f + d / 2] * Math.sin(ka);
                    double k2 = b[1][f + d / 2] * Math.cos(ka) + b[1][f] * Math.sin(ka);
                    s += q1 * k1 + q2 * k2;
                }
                scores[j] = s / Math.sqrt(d);
            }
            double max = Arrays.stream(scores).max().orElseThrow();
            double sum = Arrays.stream(scores).map(x -> Math.exp(x - max)).sum();
            assertThat(Math.exp(scores[i - 1] - max) / sum).as("attention from %d to %d", i, i - 1)
                    .isGreaterThan(0.9);
        }
    }

    @Test
    void withThePriorTheEnginesFirstHeadCopiesThePreviousToken(@TempDir Path with, @TempDir Path without) {
        assertThat(previousTokenPredicted(with, 1)).as("positions whose output is the previous token, with the prior")
                .isGreaterThan(0.9);
        assertThat(previousTokenPredicted(without, 0)).as("without it").isLessThan(0.5);
    }

    /**
     * Builds a tiny Qwen2 model, gives tokens 1–16 one-hot embeddings, then wires its first head's
     * values straight through to the output (and silences everything else), so the model predicts
     * whatever that head attends to. Returns the share of positions of a random sequence of those
     * tokens whose prediction is the token one position back.
     */
    private static double previousTokenPredicted(Path dir, int priorHeads) {
        Pretrain.run(dir, qwen(priorHeads), QUIET, () -> false);
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            Map<String, dev.scales.core.model.nn.HfBlock.Weight> p = m.lm().namedParameters();
            int hidden = 32;
            int headDim = 16;
            float[] v = new float[2 * headDim * hidden];
            float[] o = new float[hidden * hidden];
            for (int k = 0; k < headDim; k++) {
                v[k * hidden + k] = 1f; // value k of head 0 = hidden unit k
                o[k * hidden + k] = 1f; // and back to hidden unit k
            }
            float[] embedding = new float[400 * hidden];
            for (int t = 1; t <= headDim; t++) {
                embedding[t * hidden + t - 1] = 0.02f;
            }
            p.get("model.embed_tokens.weight").array().set(embedding);
            p.get("model.layers.0.self_attn.v_proj.weight").array().set(v);
            p.get("model.layers.0.self_attn.o_proj.weight").array().set(o);
            for (String silent : new String[] {"model.layers.0.mlp.down_proj.weight",
                    "model.layers.1.self_attn.o_proj.weight", "model.layers.1.mlp.down_proj.weight"}) {
                p.get(silent).array().set(new float[Math.toIntExact(p.get(silent).shape().size())]);
            }
            long[] ids = new java.util.Random(3).longs(64, 1, 1 + headDim).toArray();
            try (NDManager sub = m.manager().newSubManager()) {
                Inputs.Batch b = Inputs.leftPadded(sub, new long[][] {ids}, 0);
                float[] logits = m.lm().forward(b.ids(), b.positions(), b.bias(), null, false).toFloatArray();
                int hits = 0;
                for (int i = 1; i < ids.length; i++) {
                    int best = 0;
                    for (int t = 1; t <= headDim; t++) {
                        if (logits[i * 400 + t] > logits[i * 400 + best]) {
                            best = t;
                        }
                    }
                    hits += best == ids[i - 1] ? 1 : 0;
                }
                return hits / (double) (ids.length - 1);
            }
        }
    }

    @Test
    void thePretrainedFolderIsAPlainQwen2CheckpointWhoseCardNamesThePrior(@TempDir Path dir) throws Exception {
        Pretrain.Result r = Pretrain.run(dir, qwen(1, 2), QUIET, () -> false);
        assertThat(dir.resolve("config.json")).content().contains("\"model_type\": \"qwen2\"",
                "\"Qwen2ForCausalLM\"");
        assertThat(PretrainReport.card(r, qwen(1, 2), "pretrain --previous-token-layers 2"))
                .contains("Qwen2-shaped", "in each of the first 2 layers 1 head(s) started as previous-token heads");
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            for (int layer : new int[] {0, 1}) {
                float[] keyBias = m.lm().namedParameters().get("model.layers." + layer + ".self_attn.k_proj.bias")
                        .array().toFloatArray();
                assertThat(keyBias[0]).as("layer %d, head 0's fastest pair", layer)
                        .isCloseTo(PreviousTokenPrior.STRENGTH, org.assertj.core.data.Offset.offset(0.01f));
                assertThat(keyBias[16]).as("layer %d, head 1 keeps its zero start", layer)
                        .isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void thePriorNeedsQwen2sBiasesAndExistingHeads() {
        assertThatThrownBy(() -> new Pretrain.Settings("llama", 5, 1, 4, 64, 1e-3f, 1, 400, 32, 2, 2, 3f, 1000, 0, 0, 0, 0, 1, 1))
                .isInstanceOf(ScalesException.class).hasMessageContaining("the previous-token heads need the qwen2 architecture");
        assertThatThrownBy(() -> qwen(3)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("the previous-token heads must be between 0 and the heads (2), got 3");
    }
}
