package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.model.Golden;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.Trainables;
import dev.scales.core.model.nn.HfBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training computes what PyTorch computes: the loss and the gradient of every weight through
 * DJL's autograd equal those of the independent reference implementation
 * (src/test/python/make_grad_reference.py) on the golden checkpoints.
 */
class GradientReferenceTest {
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny-gqa", "qwen2-tiny"})
    void everyWeightsGradientMatchesThePyTorchReference(String name) throws IOException {
        JsonObject ref = JsonParser.parseString(Files.readString(Golden.folder(name).resolve("gradients.json")))
                .getAsJsonObject();
        JsonArray rows = ref.getAsJsonArray("ids");
        long[][] ids = {Golden.longs(rows.get(0).getAsJsonArray()), Golden.longs(rows.get(1).getAsJsonArray())};
        JsonObject expected = ref.getAsJsonObject("gradients");
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            Trainables.setTrainable(model.lm(), n -> true);
            Map<String, HfBlock.Weight> weights = model.lm().namedParameters();
            assertThat(weights.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            try (NDManager scope = model.manager().newSubManager();
                 GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = TrainStep.Aligned.of(ids, null).loss(model, 1f, scope);
                collector.backward(loss);
                assertThat(loss.getFloat()).isCloseTo(ref.get("loss").getAsFloat(), within(1e-4f));
                for (Map.Entry<String, HfBlock.Weight> e : weights.entrySet()) {
                    JsonObject want = expected.getAsJsonObject(e.getKey());
                    NDArray grad = e.getValue().array().getGradient();
                    grad.attach(scope);
                    // GPT-2's Conv1D weights are [in, out] on disk and in the reference, [out, in] here.
                    NDArray asOnDisk = e.getKey().matches(".*\\.(c_attn|c_proj|c_fc)\\.weight") ? grad.transpose() : grad;
                    float norm = want.get("norm").getAsFloat();
                    assertThat(asOnDisk.norm().getFloat()).as(e.getKey() + " gradient norm")
                            .isCloseTo(norm, within(1e-4f * Math.max(1f, norm)));
                    float[] first = Golden.floats(want.getAsJsonArray("first"));
                    float[] got = asOnDisk.flatten().get("0:" + first.length).toFloatArray();
                    for (int i = 0; i < first.length; i++) {
                        assertThat(got[i]).as(e.getKey() + " gradient value " + i)
                                .isCloseTo(first[i], within(1e-5f + 1e-4f * Math.abs(first[i])));
                    }
                }
            } finally {
                Trainables.freezeAll(model.lm());
                GradMode.inference();
            }
        }
    }
}
