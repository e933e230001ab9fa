package dev.scales.core.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;
import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.experiment.Lab;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Example;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Long use through the model manager, as a class spends an afternoon with the app: 1,000 prompt and
 * evaluation requests, 20 LoRA runs and 5 full runs on the bundled model. Measured against the
 * state once every kind of work has run once, the model's live arrays are back to their count,
 * the native memory in use (glibc's malloc, which libtorch allocates tensors through) has not grown
 * by more than {@value #NATIVE_SLACK_MIB} MiB, and no thread was left behind.
 *
 * <p>Native memory is read from the allocator, not from resident memory: resident memory minus the
 * committed Java heap moves by hundreds of megabytes when the collector first touches heap pages it
 * committed earlier, which is no leak.
 */
class SoakTest {
    private static final int ROUNDS = 25; // 20 LoRA runs, 5 full runs
    private static final int REQUESTS_PER_ROUND = 40; // 1,000 in all
    /** The round after which every kind of work has run once (the first full run is round 4's). */
    private static final int WARM_UP = 4;
    /** Seen to move by ±10 MiB between rounds; a leak of 30 KiB a request or 1.2 MiB a run (after the warm-up) exceeds it. */
    private static final long NATIVE_SLACK_MIB = 24;

    @Test
    void aLongSessionLeavesNoArraysMemoryOrThreadsBehind() throws Exception {
        SampleTasks.Task task = new SampleTasks(new World(1)).sentiment();
        List<Example> demos = Lab.examples(task.train().subList(0, 4));
        List<FewShotEvaluator.TestExample> test = Lab.tests(task.test().subList(0, 6));
        try (ModelManager manager = new ModelManager()) {
            manager.load(AppPaths.bundledModel(), "cpu").join();
            LoadedModel model = manager.current().orElseThrow();
            long arrays = 0;
            long nativeInUse = 0;
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
                    nativeInUse = NativeHeap.inUse();
                    threads = liveThreads();
                }
            }

            System.gc();
            assertThat(liveArrays(manager)).as("live arrays after %d requests and %d runs",
                    ROUNDS * REQUESTS_PER_ROUND, ROUNDS).isEqualTo(arrays);
            if (NativeHeap.AVAILABLE) { // a leak outside the model's manager shows in the allocator's count
                assertThat(NativeHeap.inUse()).as("native memory in use, bytes")
                        .isLessThanOrEqualTo(nativeInUse + (NATIVE_SLACK_MIB << 20));
            }
            assertThat(liveThreads()).as("threads").isSubsetOf(threads);
            assertThat(model.manager().isOpen()).isTrue();
        }
    }

    private static long liveArrays(ModelManager manager) throws Exception {
        return manager.submit("count", m -> (long) m.manager().getManagedArrays().size()).join();
    }

    /** The bytes glibc's malloc has handed out and not had back, in every arena ({@code mallinfo2}). */
    private static final class NativeHeap {
        static final boolean AVAILABLE = available();

        /** {@code struct mallinfo2}: ten size_t counters. */
        @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                "fordblks", "keepcost"})
        public static class MallInfo2 extends Structure implements Structure.ByValue {
            public long arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
        }

        interface LibC extends Library {
            MallInfo2 mallinfo2();
        }

        static long inUse() {
            MallInfo2 info = Native.load("c", LibC.class).mallinfo2();
            return info.uordblks + info.hblkhd; // small chunks plus mmapped ones
        }

        private static boolean available() {
            try {
                return Platform.isLinux() && inUse() > 0;
            } catch (UnsatisfiedLinkError e) { // not glibc, or older than 2.33
                return false;
            }
        }
    }

    private static Set<String> liveThreads() {
        Set<String> names = new TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }
}
