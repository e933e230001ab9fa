package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.scales.core.generate.Inputs;
import dev.scales.core.generate.Sampler;
import dev.scales.core.model.Golden;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.Trainables;
import dev.scales.core.train.AdamW;
import dev.scales.core.train.TrainStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A token decoded by OpenBLAS is the token the compiled forward decodes: the same logits at every
 * step of a cache that grows, with and without trained adapters, for both families (GQA, tied
 * heads, RoPE scaling, biases), with the tall matrices' transposed copies following every write
 * into the weights. Prompts, batches and training stay with the compiled forward; a detached
 * adapter is noticed; nothing is left on the model's manager; two models decoding at once on two
 * threads get exactly what each gets alone.
 */
class BlasDecodeTest {
    private static final double TOLERANCE = 1e-4; // summation order only, on logits up to ~11, over 70 cached steps
    private static final int STEPS = 70; // past the cache's first buffer (prompt + 64), so it grows

    @BeforeEach
    void openBlas() {
        assumeTrue(BlasDecode.active(), "OpenBLAS did not load on this machine");
        GradMode.inference();
    }

    @AfterEach
    void restore() {
        BlasDecode.setEnabled(true);
        GradMode.inference();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny-gqa", "llama-tiny-tied-rope3", "qwen2-tiny"})
    void decodesEveryTokenAsTheCompiledForward(String name) {
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            int before = model.manager().getManagedArrays().size();
            long copies = TransposedCopies.made();
            assertSameSteps(model);
            assertThat(TransposedCopies.made()).as("the head's transposed copy at least").isGreaterThan(copies);
            try (LoraAdapters adapters = TrainedAdapters.attach(model)) {
                assertSameSteps(model);
            }
            assertSameSteps(model); // adapters detached: the base weights again
            assertThat(model.manager().getManagedArrays()).as("arrays left on the model's manager").hasSize(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "qwen2-tiny"})
    void followsAnOptimizerStepThatWritesTheWeightsInPlaceAndDecodesAsWithoutCopies(String name) {
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            float[] trained = steps(model, true);
            long copies = TransposedCopies.made();
            Trainables.setTrainable(model.lm(), n -> true);
            try (AdamW optimizer = new AdamW(model.manager(), model.lm().namedParameters().values().stream()
                    .map(HfBlock.Weight::array).toList(), i -> true, 0.9f, 0.999f, 1e-8f, 0f)) {
                TrainStep.run(model, new long[][] {{5, 9, 2, 7, 11, 3, 8}}, null, optimizer, 1e-2f, 0f, false);
            } finally {
                Trainables.freezeAll(model.lm());
                GradMode.inference();
            }
            assertThat(largestDifference(steps(model, true), trained)).as("the trained weights are read").isGreaterThan(1e-3);
            assertSameSteps(model);
            float[] withCopies = steps(model, true);
            TransposedCopies.setEnabled(false);
            try {
                assertThat(largestDifference(steps(model, true), withCopies)).as("without the copies")
                        .isLessThan(TOLERANCE);
            } finally {
                TransposedCopies.setEnabled(true);
            }
            assertThat(TransposedCopies.made()).as("the copies refreshed in place, none made anew").isEqualTo(copies);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny-gqa", "qwen2-tiny"})
    void aLayersQkvAndGateUpLieOneAfterAnotherAndFollowWeightsChangedInPlaceOrGivenNewMemory(String name) {
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            var weights = model.lm().namedParameters();
            String l = "model.layers.1.";
            assertThat(followEachOther(weights.get(l + "self_attn.q_proj.weight").array(),
                    weights.get(l + "self_attn.k_proj.weight").array(), weights.get(l + "self_attn.v_proj.weight").array()))
                    .as("q, k and v one after another").isTrue();
            assertThat(followEachOther(weights.get(l + "mlp.gate_proj.weight").array(),
                    weights.get(l + "mlp.up_proj.weight").array())).as("gate and up one after another").isTrue();
            float[] before = steps(model, true);
            try (LoraAdapters adapters = TrainedAdapters.attach(model)) { // an adapter on each part
                assertSameSteps(model);
            }
            weights.get(l + "self_attn.v_proj.weight").array().muli(3); // as the optimizer writes: in place
            weights.get(l + "mlp.up_proj.weight").array().muli(-2);
            float[] changed = steps(model, true);
            assertThat(largestDifference(changed, before)).as("the changed weights are read").isGreaterThan(1e-3);
            assertSameSteps(model);

            var gate = weights.get(l + "mlp.gate_proj.weight").array(); // DJL's set(Buffer) gives it new memory
            gate.set(new float[Math.toIntExact(gate.size())]);
            assertThat(followEachOther(gate, weights.get(l + "mlp.up_proj.weight").array())).isFalse();
            float[] replaced = steps(model, true);
            assertThat(largestDifference(replaced, changed)).as("the replaced weight is read").isGreaterThan(1e-3);
            assertSameSteps(model);
        }
    }

    /** True when each array's memory starts where the one before ends. */
    private static boolean followEachOther(ai.djl.ndarray.NDArray... arrays) {
        for (int i = 1; i < arrays.length; i++) {
            long end = new org.bytedeco.javacpp.Pointer(BlasDecode.floats(arrays[i - 1])).address()
                    + arrays[i - 1].size() * Float.BYTES;
            if (new org.bytedeco.javacpp.Pointer(BlasDecode.floats(arrays[i])).address() != end) {
                return false;
            }
        }
        return true;
    }

    private static double largestDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @Test
    void leavesPromptsBatchesAndTrainingToTheCompiledForward() {
        try (LoadedModel model = ModelLoader.load(Golden.folder("qwen2-tiny"), Device.cpu());
             NDManager m = model.manager().newSubManager();
             KvCache cache = new KvCache(m, model.config().numLayers())) {
            long before = BlasDecode.steps();
            forward(model, m, cache, new long[] {4, 5, 6}); // a prompt
            Inputs.Batch two = Inputs.leftPadded(m, new long[][] {{3}, {4}}, 0); // two rows
            model.lm().forward(two.ids(), two.positions(), two.bias(), null, true).toFloatArray();
            GradMode.training();
            forward(model, m, cache, new long[] {7}); // recording gradients
            GradMode.inference();
            assertThat(BlasDecode.steps()).as("tokens decoded by OpenBLAS").isEqualTo(before);
            forward(model, m, cache, new long[] {8});
            assertThat(BlasDecode.steps()).isEqualTo(before + 1);
        }
    }

    @Test
    void twoThreadsDecodingAtOnceGetWhatEachGetsAlone() throws Exception {
        try (LoadedModel a = ModelLoader.load(Golden.folder("qwen2-tiny"), Device.cpu());
             LoadedModel b = ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            float[] aloneA = steps(a, true);
            float[] aloneB = steps(b, true);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 3; round++) {
                    var latch = new java.util.concurrent.CountDownLatch(2);
                    var fa = pool.submit(() -> together(latch, a));
                    var fb = pool.submit(() -> together(latch, b));
                    assertThat(fa.get(60, java.util.concurrent.TimeUnit.SECONDS)).as("qwen2-tiny beside gpt2-tiny")
                            .containsExactly(aloneA);
                    assertThat(fb.get(60, java.util.concurrent.TimeUnit.SECONDS)).as("gpt2-tiny beside qwen2-tiny")
                            .containsExactly(aloneB);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** {@link #steps} once both threads are ready (grad mode is per thread). */
    private static float[] together(java.util.concurrent.CountDownLatch latch, LoadedModel model) throws Exception {
        GradMode.inference();
        latch.countDown();
        latch.await();
        return steps(model, true);
    }

    private static void assertSameSteps(LoadedModel model) {
        long before = BlasDecode.steps();
        float[] blas = steps(model, true);
        assertThat(BlasDecode.steps() - before).as("tokens decoded by OpenBLAS").isEqualTo(STEPS);
        float[] compiled = steps(model, false);
        assertThat(largestDifference(blas, compiled)).as("largest difference from the compiled forward").isLessThan(TOLERANCE);
    }

    /** A 5-token prompt, then STEPS greedy tokens one at a time: the logits of every step. */
    private static float[] steps(LoadedModel model, boolean blas) {
        BlasDecode.setEnabled(blas);
        int vocab = model.config().vocabSize();
        float[] all = new float[STEPS * vocab];
        try (NDManager session = model.manager().newSubManager();
             KvCache cache = new KvCache(session, model.config().numLayers())) {
            float[] l = forward(model, session, cache, new long[] {5, 9, 2, 7, 11});
            for (int s = 0; s < STEPS; s++) {
                l = forward(model, session, cache, new long[] {Sampler.argmax(l)});
                System.arraycopy(l, 0, all, s * vocab, vocab);
            }
        } finally {
            BlasDecode.setEnabled(true);
        }
        return all;
    }

    private static float[] forward(LoadedModel model, NDManager parent, KvCache cache, long[] ids) {
        try (NDManager step = parent.newSubManager()) {
            Inputs.Batch b = Inputs.single(step, ids, cache.length());
            return model.lm().forward(b.ids(), b.positions(), b.bias(), cache, true).toFloatArray();
        }
    }
}
