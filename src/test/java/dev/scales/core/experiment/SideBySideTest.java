package dev.scales.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.train.FineTuneRun;
import dev.scales.core.train.TrainingEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An experiment's cells side by side: each on a model of its own, one thread each, results in order. */
class SideBySideTest {
    private static LoadedModel base;

    @BeforeAll
    static void load() {
        base = ModelLoader.load(AppPaths.bundledModel(), Device.cpu());
    }

    @AfterAll
    static void close() {
        base.close();
    }

    private record Ran(int cell, String thread, int threads, LoadedModel model) {}

    @Test
    void cellsRunOnCopiesWithOneThreadEachAndComeBackInTheirOrder() {
        int threadsBefore = JniUtils.getNumThreads();
        List<Function<LoadedModel, Ran>> cells = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int cell = i;
            cells.add(model -> {
                sleep(10L * (6 - cell)); // later cells finish sooner
                return new Ran(cell, Thread.currentThread().getName(), JniUtils.getNumThreads(), model);
            });
        }
        List<Ran> done = new ArrayList<>();
        List<LoadedModel> copies;
        try (SideBySide workers = SideBySide.open(base, 2, cells.size())) {
            assertThat(workers.workers()).isEqualTo(2);
            workers.run(cells, done::add, () -> false);
            copies = done.stream().map(Ran::model).distinct().toList();
        }

        assertThat(done).extracting(Ran::cell).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(done).allSatisfy(r -> {
            assertThat(r.thread()).isEqualTo("experiment-cell");
            assertThat(r.threads()).as("libtorch threads in a cell").isEqualTo(1);
        });
        assertThat(copies).hasSize(2).doesNotContain(base);
        assertThat(copies).as("the copies are freed").allSatisfy(m -> assertThat(m.manager().isOpen()).isFalse());
        assertThat(JniUtils.getNumThreads()).as("libtorch's thread count afterwards").isEqualTo(threadsBefore);
        assertThat(base.manager().isOpen()).isTrue();
    }

    @Test
    void oneWorkerRunsTheCellsOnTheBaseOnTheCallersThread() {
        List<Ran> done = new ArrayList<>();
        try (SideBySide workers = SideBySide.open(base, 1, 3)) {
            List<Function<LoadedModel, Ran>> cells = List.of(m -> new Ran(0, Thread.currentThread().getName(), 0, m),
                    m -> new Ran(1, Thread.currentThread().getName(), 0, m));
            workers.run(cells, done::add, () -> false);
        }
        assertThat(done).extracting(Ran::model).containsOnly(base);
        assertThat(done).extracting(Ran::thread).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void fineTunesSideBySideGiveWhatEachGivesAlone() {
        PromptSet set = PromptSet.read(Path.of("sample-data/sentiment/prompt-set.json"));
        List<SampleTasks.Item> items = Lab.items(Path.of("sample-data/sentiment/train.jsonl")).subList(0, 16);
        Function<LoadedModel, List<Float>> run = model -> {
            List<Float> steps = new ArrayList<>();
            FineTuneRun.Outcome o = Lab.fineTune(model, set, items, Lab.settings(model, true, 1e-2f, 6, 4, 4, 3),
                    e -> {
                        if (e instanceof TrainingEvent.Step step) {
                            steps.add(step.trainLoss());
                        }
                    }, () -> false);
            o.adapters().close();
            return steps;
        };
        List<List<Float>> losses = new ArrayList<>();
        try (SideBySide workers = SideBySide.open(base, 2, 4)) {
            workers.run(List.of(run, run, run, run), losses::add, () -> false);
        }

        assertThat(losses.get(0)).hasSize(6).allSatisfy(l -> assertThat(l).isFinite());
        // the same up to float rounding: the products' kernels may take another path for other addresses
        assertThat(losses).hasSize(4).allSatisfy(each -> {
            for (int step = 0; step < each.size(); step++) {
                assertThat(each.get(step)).as("step %d", step + 1)
                        .isCloseTo(losses.get(0).get(step), org.assertj.core.data.Offset.offset(1e-5f));
            }
        });
        assertThat(base.lm().block().namedBlocks().values()).noneMatch(b ->
                b instanceof dev.scales.core.model.nn.Projection p && p.lora() != null);
    }

    @Test
    void aFailedCellEndsTheRunWithItsOwnErrorAndTheCellsAfterItNeverStart() {
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        List<Function<LoadedModel, Integer>> cells = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int cell = i;
            cells.add(m -> {
                started.add(cell);
                if (cell == 1) {
                    throw new IllegalStateException("cell 1: no labels in the draw");
                }
                sleep(20);
                return cell;
            });
        }
        List<Integer> done = new ArrayList<>();
        try (SideBySide workers = SideBySide.open(base, 2, cells.size())) {
            assertThatThrownBy(() -> workers.run(cells, done::add, () -> false))
                    .isInstanceOf(IllegalStateException.class).hasMessage("cell 1: no labels in the draw");
        }
        assertThat(done).containsExactly(0);
        assertThat(started).as("cells started").hasSizeLessThan(10);
    }

    @Test
    void aCancelledRunStartsNoFurtherCell() {
        Set<Integer> started = ConcurrentHashMap.newKeySet();
        List<Function<LoadedModel, Integer>> cells = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int cell = i;
            cells.add(m -> {
                started.add(cell);
                return cell;
            });
        }
        for (int workers : new int[] {1, 2}) {
            started.clear();
            try (SideBySide side = SideBySide.open(base, workers, cells.size())) {
                assertThatThrownBy(() -> side.run(cells, c -> { }, () -> true))
                        .isInstanceOf(CancellationException.class);
            }
            assertThat(started).as("cells started with %d worker(s)", workers).isEmpty();
        }
    }

    @Test
    void onlySmallModelsOnTheCpuRunSideBySideByDefault() {
        assertThat(SideBySide.auto(4L << 20, Device.cpu(), 8)).isEqualTo(8);
        assertThat(SideBySide.auto(500L << 20, Device.cpu(), 8)).as("GPT-2 small").isEqualTo(1);
        assertThat(SideBySide.auto(4L << 20, Device.gpu(0), 8)).isEqualTo(1);
        try (SideBySide one = SideBySide.open(base, 0, 1)) {
            assertThat(one.workers()).as("never more workers than cells").isEqualTo(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
