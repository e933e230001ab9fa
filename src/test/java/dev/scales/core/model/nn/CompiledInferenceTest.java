package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.Golden;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compiled inference forward computes what the model's DJL blocks compute: full and
 * last-position logits of padded batches, a prompt continued token by token through a KV cache
 * that has to grow, and a model carrying trained LoRA adapters. The DJL blocks run when grad
 * mode is on, the compiled forward when it is off.
 */
class CompiledInferenceTest {
    /**
     * Float rounding of kernels that sum in different orders (oneDNN, OpenBLAS, libtorch's own),
     * over 70 cached steps, on logits up to ~11: a relative 5e-6.
     */
    private static final double TOLERANCE = 5e-5;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny-gqa", "llama-tiny-tied-rope3", "qwen2-tiny"})
    void matchesTheBlocksOnBatchesCachesAndAdapters(String name) {
        try (LoadedModel model = ModelLoader.load(Golden.folder(name), Device.cpu())) {
            int before = model.manager().getManagedArrays().size();
            assertSameLogits(model);
            try (LoraAdapters adapters = TrainedAdapters.attach(model)) {
                assertSameLogits(model);
            }
            assertThat(model.manager().getManagedArrays()).as("arrays left on the model's manager").hasSize(before);
        } finally {
            GradMode.inference();
        }
    }

    private static void assertSameLogits(LoadedModel model) {
        long[][] rows = {{5, 9, 2, 7, 11, 3}, {8, 1, 4}};
        assertClose(logits(model, rows, false, true), logits(model, rows, false, false));
        assertClose(logits(model, rows, true, true), logits(model, rows, true, false));
        long[] prompt = new long[KvCacheGrowth.PROMPT];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (i * 7 + 3) % model.config().vocabSize();
        }
        assertClose(cached(model, prompt, true), cached(model, prompt, false));
    }

    /** Logits of a left-padded batch, by the compiled forward or by the blocks. */
    private static float[] logits(LoadedModel model, long[][] rows, boolean lastOnly, boolean compiled) {
        mode(compiled);
        try (NDManager m = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.leftPadded(m, rows, 0);
            return model.lm().forward(b.ids(), b.positions(), b.bias(), null, lastOnly).toFloatArray();
        }
    }

    /**
     * A prompt read into a cache, then continued one token at a time past the cache's first
     * capacity (so it grows), then a three-token chunk: the last-position logits of every step.
     */
    private static float[] cached(LoadedModel model, long[] prompt, boolean compiled) {
        mode(compiled);
        int steps = KvCacheGrowth.STEPS;
        float[] all = new float[(steps + 1) * model.config().vocabSize()];
        try (NDManager session = model.manager().newSubManager();
             KvCache cache = new KvCache(session, model.config().numLayers())) {
            int at = 0;
            long[] next = prompt;
            for (int s = 0; s <= steps; s++) {
                try (NDManager step = session.newSubManager()) {
                    Inputs.Batch b = Inputs.single(step, next, cache.length());
                    float[] l = model.lm().forward(b.ids(), b.positions(), b.bias(), cache, true).toFloatArray();
                    System.arraycopy(l, 0, all, at, l.length);
                    at += l.length;
                    int argmax = dev.scales.core.generate.Sampler.argmax(l);
                    next = s == steps - 1 ? new long[] {argmax, 1, 2} : new long[] {argmax};
                }
            }
            assertThat(cache.length()).isEqualTo(prompt.length + steps + 2);
        }
        return all;
    }

    /** Sizes that make a cache outgrow its first buffer. */
    private static final class KvCacheGrowth {
        static final int PROMPT = 5;
        static final int STEPS = 70; // the first buffer holds PROMPT + 64 positions
    }

    private static void mode(boolean compiled) {
        if (compiled) {
            GradMode.inference();
        } else {
            GradMode.training(); // the blocks run: nothing requires a gradient, so nothing is recorded
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest difference").isCloseTo(0, within(TOLERANCE));
    }
}
