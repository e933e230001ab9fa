package dev.scales.core.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.experiment.Lab;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Example;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Long use through the model manager, as a class spends an afternoon with the app: 1,000 prompt and
 * evaluation requests, 20 LoRA runs and 5 full runs on the bundled model. Measured against the
 * state once every kind of work has run once, the model's live arrays are back to their count,
 * resident memory outside the Java heap has not grown by more than 5% of the resident memory, and
 * no thread was left behind.
 */
class SoakTest {
    private static final int ROUNDS = 25; // 20 LoRA runs, 5 full runs
    private static final int REQUESTS_PER_ROUND = 40; // 1,000 in all
    /** The round after which every kind of work has run once (the first full run is round 4's). */
    private static final int WARM_UP = 4;

    @Test
    void aLongSessionLeavesNoArraysMemoryOrThreadsBehind() throws Exception {
        SampleTasks.Task task = new SampleTasks(new World(1)).sentiment();
        List<Example> demos = Lab.examples(task.train().subList(0, 4));
        List<FewShotEvaluator.TestExample> test = Lab.tests(task.test().subList(0, 6));
        try (ModelManager manager = new ModelManager()) {
            manager.load(AppPaths.bundledModel(), "cpu").join();
            LoadedModel model = manager.current().orElseThrow();
            long arrays = 0;
            long rss = 0;
            long outsideHeap = 0;
            Set<String> threads = Set.of();
            for (int round = 0; round < ROUNDS; round++) {
                int r = round;
                for (int i = 0; i < REQUESTS_PER_ROUND; i++) {
                    int n = i;
                    if (n % 2 == 0) {
                        manager.submit("generate", m -> Generator.generate(m, task.prompts().prompt(demos,
                                task.test().get(n % task.test().size()).input()).render(), GenerationSettings.greedy(4),
                                t -> { }, () -> false)).join();
                    } else {
                        manager.submit("evaluate", m -> Lab.evaluate(m, task.prompts(), demos, test, false)).join();
                    }
                }
                boolean full = round % 5 == 4;
                manager.submit("fine-tune", Job.Priority.TRAINING, (m, ctx) -> {
                    var o = Lab.fineTune(m, task.prompts(), Lab.draw(task.train(), 16, r),
                            Lab.settings(m, !full, 0.004f, 5, 4, 4, r));
                    if (o.adapters() != null) {
                        o.adapters().close(); // the variant dropped
                    }
                    return o.finished().steps();
                }).future().join();
                if (round == WARM_UP) { // every kind of work done once: what each later round must come back to
                    System.gc(); // the Java heap's own growth is the collector's choice, not a leak
                    arrays = liveArrays(manager);
                    rss = residentBytes();
                    outsideHeap = rss - heapCommitted();
                    threads = liveThreads();
                }
            }

            System.gc();
            assertThat(liveArrays(manager)).as("live arrays after %d requests and %d runs",
                    ROUNDS * REQUESTS_PER_ROUND, ROUNDS).isEqualTo(arrays);
            // a leak of tensors shows in the arrays above and outside the heap; the heap's size is the
            // collector's choice (after the whole suite it grew by 300 MB here), so memory is compared outside it
            assertThat((double) residentBytes() - heapCommitted()).as("resident memory outside the Java heap, bytes")
                    .isLessThanOrEqualTo(outsideHeap + rss * 0.05);
            assertThat(liveThreads()).as("threads").isSubsetOf(threads);
            assertThat(model.manager().isOpen()).isTrue();
        }
    }

    private static long liveArrays(ModelManager manager) throws Exception {
        return manager.submit("count", m -> (long) m.manager().getManagedArrays().size()).join();
    }

    private static long residentBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return Runtime.getRuntime().totalMemory(); // not Linux: the heap at least
    }

    private static long heapCommitted() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static Set<String> liveThreads() {
        Set<String> names = new TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }
}
