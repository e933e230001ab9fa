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
import java.util.stream.LongStream;
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
 * committed earlier, which is no leak. The allocator's count also holds the JVM's own (the JIT
 * compilers' arenas come and go by tens of megabytes), so the least of the last
 * {@value #WINDOW} rounds is compared with the least of the first {@value #WINDOW} after the
 * warm-up: a leak raises every round, a compilation only some.
 */
class SoakTest {
    private static final int ROUNDS = 25; // 20 LoRA runs, 5 full runs
    private static final int REQUESTS_PER_ROUND = 40; // 1,000 in all
    /** The round after which every kind of work has run once (the first full run is round 4's). */
    private static final int WARM_UP = 4;
    /** Rounds whose least native memory in use is compared, first after the warm-up and last. */
    private static final int WINDOW = 5;
    /** A leak of 40 KiB a request or 1.5 MiB a run exceeds it over the 16 rounds between the windows. */
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
            long[] nativeInUse = new long[ROUNDS];
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
                    threads = liveThreads();
                }
                if (round >= WARM_UP && NativeHeap.AVAILABLE) {
                    System.gc(); // what Java objects hold natively is let go
                    nativeInUse[round] = NativeHeap.inUse();
                }
            }

            System.gc();
            assertThat(liveArrays(manager)).as("live arrays after %d requests and %d runs",
                    ROUNDS * REQUESTS_PER_ROUND, ROUNDS).isEqualTo(arrays);
            if (NativeHeap.AVAILABLE) { // a leak outside the model's manager shows in the allocator's count
                long first = LongStream.of(nativeInUse).skip(WARM_UP).limit(WINDOW).min().orElseThrow();
                long last = LongStream.of(nativeInUse).skip(ROUNDS - WINDOW).min().orElseThrow();
                assertThat(last).as("native memory in use, bytes, least of the last rounds (MiB by round from the"
                        + " warm-up: %s)", LongStream.of(nativeInUse).skip(WARM_UP).mapToObj(b -> String.valueOf(b >> 20))
                        .toList()).isLessThanOrEqualTo(first + (NATIVE_SLACK_MIB << 20));
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
        /** {@code struct mallinfo2}: ten size_t counters. */
        @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                "fordblks", "keepcost"})
        public static class MallInfo2 extends Structure implements Structure.ByValue {
            public long arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
        }

        interface LibC extends Library {
            MallInfo2 mallinfo2();
        }

        private static final LibC LIBC = Platform.isLinux() ? load() : null;
        static final boolean AVAILABLE = LIBC != null;

        static long inUse() {
            MallInfo2 info = LIBC.mallinfo2();
            return info.uordblks + info.hblkhd; // small chunks plus mmapped ones
        }

        private static LibC load() {
            try {
                LibC libc = Native.load("c", LibC.class);
                libc.mallinfo2();
                return libc;
            } catch (UnsatisfiedLinkError e) { // not glibc, or older than 2.33
                return null;
            }
        }
    }

    private static Set<String> liveThreads() {
        Set<String> names = new TreeSet<>();
        Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
        return names;
    }
}
