package dev.scales.core.device;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.Generator;
import dev.scales.core.generate.Scorer;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same model on a GPU and on the CPU computes the same: these run only where the engine sees a
 * CUDA GPU (never in CI) and are skipped elsewhere.
 */
@Tag("gpu")
class GpuTest {
    @BeforeAll
    static void needsAGpu() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() > 0,
                "no CUDA GPU visible to the engine");
    }

    @Test
    void autoChoosesTheGpuAndItsLogitsAndGreedyTokensMatchTheCpu() {
        long[] ids = {1, 2, 3, 4, 5, 6, 7, 8};
        try (ModelManager manager = new ModelManager()) {
            LoadedModel cpu = manager.load(Golden.folder("llama-tiny-gqa"), "cpu").join();
            float[] onCpu = manager.submit(m -> Scorer.tokenLogProbs(m, ids)).join();
            List<Integer> cpuTokens = manager.submit(m -> greedy(m, ids)).join();
            LoadedModel gpu = manager.load(Golden.folder("llama-tiny-gqa"), "auto").join();

            assertThat(gpu.device().isGpu()).isTrue();
            assertThat(gpu).isNotSameAs(cpu);
            assertThat(manager.accountedBytes()).containsKeys("CPU", "GPU 0");
            float[] onGpu = manager.submit(m -> Scorer.tokenLogProbs(m, ids)).join();
            for (int i = 0; i < onCpu.length; i++) {
                assertThat(onGpu[i]).isCloseTo(onCpu[i], org.assertj.core.api.Assertions.within(1e-4f));
            }
            assertThat(manager.submit(m -> greedy(m, ids)).join()).isEqualTo(cpuTokens);
        }
    }

    @Test
    void aGpuModelRunsOnTheGpuWorkerWhileACpuModelAnswers() throws Exception {
        long[] ids = {1, 2, 3, 4, 5, 6, 7, 8};
        try (ModelManager manager = new ModelManager()) {
            manager.load(Golden.folder("llama-tiny-gqa"), "gpu0").join();
            var release = new java.util.concurrent.CountDownLatch(1);
            var started = new java.util.concurrent.CountDownLatch(1);
            Job<String> onGpu = manager.submit("hold the GPU", Job.Priority.EVALUATION, (m, ctx) -> {
                Scorer.tokenLogProbs(m, ids);
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return Thread.currentThread().getName();
            });
            started.await();
            manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
            String cpuThread = manager.submit(m -> {
                Scorer.tokenLogProbs(m, ids);
                return Thread.currentThread().getName();
            }).get(30, java.util.concurrent.TimeUnit.SECONDS);
            release.countDown();

            assertThat(cpuThread).isEqualTo("scales-worker CPU");
            assertThat(onGpu.future().get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("scales-worker GPU 0");
            assertThat(manager.workers()).containsExactly("CPU", "GPU 0");
        }
    }

    private static List<Integer> greedy(LoadedModel m, long[] ids) {
        return Generator.generate(m, ids, GenerationSettings.greedy(20), t -> { }, () -> false).tokens().stream()
                .map(GeneratedToken::id).toList();
    }
}
