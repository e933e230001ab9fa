package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.Trainables;
import dev.scales.core.model.nn.HfBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine trains: full fine-tuning and LoRA lower the loss on a tiny model, deterministically. */
class TrainStepTest {
    private static final long[][] BATCH = {
        {258, 99, 97, 116, 258, 115, 97, 116, 258, 111, 110, 258, 109, 97, 116},
        {258, 100, 111, 103, 258, 115, 97, 116, 258, 111, 110, 258, 108, 111, 103}};

    private static List<Float> train(LoadedModel model, List<NDArray> params, int steps, float lr) {
        List<Float> losses = new ArrayList<>();
        try (AdamW opt = new AdamW(model.manager(), params, i -> true, 0.9f, 0.999f, 1e-8f, 0.0f)) {
            for (int s = 0; s < steps; s++) {
                losses.add(TrainStep.run(model, BATCH, null, opt, lr, 1.0f, true).loss());
            }
        }
        return losses;
    }

    @Test
    void fullFineTuningLowersTheLossWithoutLeavingArraysBehind() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            int before = model.manager().getManagedArrays().size();
            Trainables.setTrainable(model.lm(), n -> true);
            List<NDArray> params = model.lm().namedParameters().values().stream().map(HfBlock.Weight::array).toList();

            List<Float> losses = train(model, params, 30, 1e-2f);

            assertThat(losses.get(29)).isLessThan(losses.get(0) * 0.5f);
            assertThat(model.manager().getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void aLossOnSomePositionsOnlyHasTheValueAndGradientsItHasThroughEveryPositionsLogits() {
        // rows of different lengths, the loss on each row's last two predictions (a label's tokens)
        long[][] ids = {BATCH[0], java.util.Arrays.copyOf(BATCH[1], 11)};
        float[][] weights = new float[2][];
        for (int r = 0; r < 2; r++) {
            weights[r] = new float[ids[r].length - 1];
            weights[r][weights[r].length - 1] = 1f;
            weights[r][weights[r].length - 2] = 0.5f;
        }
        TrainStep.Aligned a = TrainStep.Aligned.of(ids, weights);
        try (LoadedModel model = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu())) {
            Trainables.setTrainable(model.lm(), n -> true);
            Map<String, HfBlock.Weight> params = model.lm().namedParameters();
            try (NDManager scope = model.manager().newSubManager()) {
                Map<String, float[]> counted = new LinkedHashMap<>();
                float countedLoss = lossAndGradients(params, counted, scope, () -> a.loss(model, 2f, scope));
                Map<String, float[]> all = new LinkedHashMap<>();
                float allLoss = lossAndGradients(params, all, scope, () -> {
                    Inputs.Batch b = Inputs.leftPadded(scope, a.inputs(), 0);
                    NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, false);
                    return LanguageModelLoss.crossEntropy(logits, scope.create(a.targets()).reshape(a.rows(), a.time()),
                            scope.create(a.weights(), new ai.djl.ndarray.types.Shape(a.rows(), a.time())),
                            a.weightSum(), scope).mul(scope.full(new ai.djl.ndarray.types.Shape(), 2f));
                });

                assertThat(countedLoss).isCloseTo(allLoss, org.assertj.core.data.Offset.offset(1e-5f));
                for (String name : all.keySet()) {
                    float[] want = all.get(name);
                    float[] got = counted.get(name);
                    for (int i = 0; i < want.length; i++) {
                        assertThat(got[i]).as(name + " gradient " + i)
                                .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f + 1e-4f * Math.abs(want[i])));
                    }
                }
            } finally {
                Trainables.freezeAll(model.lm());
                GradMode.inference();
            }
        }
    }

    /** The loss {@code loss} computes, with every parameter's gradient moved into {@code gradients}. */
    private static float lossAndGradients(Map<String, HfBlock.Weight> params, Map<String, float[]> gradients,
                                          NDManager scope, java.util.function.Supplier<NDArray> loss) {
        try (ai.djl.training.GradientCollector collector =
                     ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray l = loss.get();
            collector.backward(l);
            for (Map.Entry<String, HfBlock.Weight> e : params.entrySet()) {
                NDArray g = e.getValue().array().getGradient();
                g.attach(scope);
                gradients.put(e.getKey(), g.toFloatArray());
                g.muli(0); // gradients add up from one backward pass to the next
            }
            return l.getFloat();
        }
    }

    @Test
    void parametersAreGroupedAsEmbeddingsLayersAndHead() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu())) {
            Map<String, List<String>> groups = Trainables.groups(model.lm());

            assertThat(groups.keySet()).containsExactly("embeddings", "layer 0", "layer 1", "head");
            assertThat(groups.get("embeddings")).containsExactly("model.embed_tokens.weight");
            assertThat(groups.get("head")).containsExactly("model.norm.weight", "lm_head.weight");
        }
    }

    @Test
    void theSameStartGivesTheSameLossCurve() {
        List<Float> first;
        List<Float> second;
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            Trainables.setTrainable(model.lm(), n -> true);
            first = train(model, model.lm().namedParameters().values().stream().map(HfBlock.Weight::array).toList(), 5, 1e-3f);
        }
        try (LoadedModel model = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            Trainables.setTrainable(model.lm(), n -> true);
            second = train(model, model.lm().namedParameters().values().stream().map(HfBlock.Weight::array).toList(), 5, 1e-3f);
        }
        assertThat(second).containsExactlyElementsOf(first);
    }

    @Test
    void loraTrainsOnlyItsAdaptersAndMergesToTheSameLogits() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("llama-tiny-gqa"), Device.cpu())) {
            Map<String, float[]> base = snapshot(model);
            Trainables.freezeAll(model.lm());
            try (LoraAdapters lora = LoraAdapters.attach(model, new LoraConfig(4, 8f, 0f,
                    List.of("q_proj", "v_proj", "down_proj")), 1)) {
                assertThat(lora.adapters()).hasSize(3 * model.config().numLayers());
                lora.parameters().forEach(p -> p.setRequiresGradient(true));

                List<Float> losses = train(model, lora.parameters(), 30, 1e-2f);

                assertThat(losses.get(29)).isLessThan(losses.get(0) * 0.8f);
                Map<String, float[]> after = snapshot(model);
                base.forEach((name, values) -> assertThat(after.get(name)).as(name).containsExactly(values));

                float[] adapted = logits(model);
                lora.merge();
                float[] merged = logits(model);
                assertThat(lora.adapters().values()).allSatisfy(a -> assertThat(a).isNotNull());
                for (int i = 0; i < adapted.length; i++) {
                    assertThat(merged[i]).isCloseTo(adapted[i], org.assertj.core.api.Assertions.within(1e-4f));
                }
            }
        }
    }

    private static Map<String, float[]> snapshot(LoadedModel model) {
        Map<String, float[]> s = new LinkedHashMap<>();
        model.lm().namedParameters().forEach((n, w) -> s.put(n, w.array().toFloatArray()));
        return s;
    }

    private static float[] logits(LoadedModel model) {
        GradMode.inference();
        try (NDManager m = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.single(m, BATCH[0], 0);
            return model.lm().forward(b.ids(), b.positions(), b.bias(), null, false).toFloatArray();
        }
    }
}
