package dev.scales.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.generate.GenerationResult;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.model.GradMode;
import dev.scales.core.generate.Generator;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.Inputs;
import dev.scales.core.generate.Scorer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine computes what an independent PyTorch implementation computes
 * (src/test/python/make_golden.py) on tiny random checkpoints of each architecture variant:
 * logits within 1e-4, padded batches, KV-cache greedy decoding token for token, log-probs.
 */
class GoldenModelTest {
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "gpt2-tiny-noprefix", "llama-tiny-gqa", "llama-tiny-tied-rope3",
        "llama-tiny-rope-linear", "qwen2-tiny", "llama-tiny-f16", "llama-tiny-bf16", "llama-tiny-sharded"})
    void matchesTheReferenceImplementation(String name) {
        JsonObject ref = Golden.reference(name);
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            GradMode.inference();
            int before = model.manager().getManagedArrays().size();
            assertFullLogits(model, ref);
            assertPaddedBatch(model, ref.getAsJsonObject("padded"));
            assertGreedy(model, ref.getAsJsonObject("greedy"));
            assertLogProbs(model, ref.getAsJsonObject("logprobs"));
            assertThat(model.manager().getManagedArrays()).as("arrays left on the model's manager").hasSize(before);
        }
    }

    private static void assertFullLogits(LoadedModel model, JsonObject ref) {
        JsonArray rows = ref.getAsJsonArray("input_ids");
        long[][] ids = {Golden.longs(rows.get(0).getAsJsonArray()), Golden.longs(rows.get(1).getAsJsonArray())};
        float[] expected = Golden.flatFloats(ref.getAsJsonArray("logits"));
        try (NDManager m = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.leftPadded(m, ids, 0);
            NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, false);
            assertThat(logits.getShape().getShape()).containsExactly(2, 10, model.config().vocabSize());
            assertClose(logits.toFloatArray(), expected);
        }
    }

    private static void assertPaddedBatch(LoadedModel model, JsonObject padded) {
        JsonArray rows = padded.getAsJsonArray("input_ids");
        JsonArray mask = padded.getAsJsonArray("attention_mask");
        long[][] real = new long[2][];
        for (int r = 0; r < 2; r++) {
            long[] row = Golden.longs(rows.get(r).getAsJsonArray());
            long[] m = Golden.longs(mask.get(r).getAsJsonArray());
            int pad = 0;
            while (m[pad] == 0) {
                pad++;
            }
            real[r] = java.util.Arrays.copyOfRange(row, pad, row.length);
        }
        try (NDManager m = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.leftPadded(m, real, padded.get("pad_token_id").getAsLong());
            assertThat(b.ids().toLongArray()).containsExactly(Golden.longs(flat(rows)));
            NDArray last = model.lm().forward(b.ids(), b.positions(), b.bias(), null, true); // (2, 1, V)
            assertClose(last.toFloatArray(), Golden.flatFloats(padded.getAsJsonArray("last_logits")));
        }
    }

    private static void assertGreedy(LoadedModel model, JsonObject greedy) {
        long[] prompt = Golden.longs(greedy.getAsJsonArray("prompt"));
        long[] expected = Golden.longs(greedy.getAsJsonArray("tokens"));
        GenerationSettings settings = new GenerationSettings(expected.length, 0, 0, 1, 1, 0, List.of(), false);
        GenerationResult result = Generator.generate(model, prompt, settings, t -> { }, () -> false);
        assertThat(result.tokens().stream().mapToLong(GeneratedToken::id).toArray()).containsExactly(expected);
        assertThat(result.stop()).isEqualTo(GenerationResult.StopReason.MAX_TOKENS);
    }

    private static void assertLogProbs(LoadedModel model, JsonObject logprobs) {
        float[] actual = Scorer.tokenLogProbs(model, Golden.longs(logprobs.getAsJsonArray("ids")));
        assertClose(actual, Golden.floats(logprobs.getAsJsonArray("token_logprobs")));
    }

    private static JsonArray flat(JsonArray rows) {
        JsonArray out = new JsonArray();
        rows.forEach(r -> r.getAsJsonArray().forEach(out::add));
        return out;
    }

    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertThat(worst).as("largest difference, at index %d", at).isCloseTo(0, within(TOLERANCE));
    }
}
