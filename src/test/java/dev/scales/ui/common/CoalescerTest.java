package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescerTest {
    /** A UI thread that holds what is posted until the test runs it, and records asked delays. */
    private static final class HeldUi implements UiThread {
        final List<Runnable> posted = new ArrayList<>();
        final List<Long> delays = new ArrayList<>();

        @Override
        public void run(Runnable update) {
            posted.add(update);
            delays.add(0L);
        }

        @Override
        public void runAfter(long millis, Runnable update) {
            posted.add(update);
            delays.add(millis);
        }

        void runAll() {
            List<Runnable> now = new ArrayList<>(posted);
            posted.clear();
            now.forEach(Runnable::run);
        }
    }

    @Test
    void itemsAddedWhileAnUpdateIsPendingArriveInThatOneUpdateInOrder() {
        HeldUi ui = new HeldUi();
        List<List<Integer>> batches = new ArrayList<>();
        Coalescer<Integer> c = new Coalescer<>(ui, batches::add);
        for (int i = 0; i < 5; i++) {
            c.add(i);
        }
        assertThat(ui.posted).hasSize(1);
        ui.runAll();
        c.add(5);
        ui.runAll();
        assertThat(batches).containsExactly(List.of(0, 1, 2, 3, 4), List.of(5));
        assertThat(ui.delays).containsOnly(0L);
    }

    @Test
    void withAMinimumIntervalTheNextUpdateWaitsForTheRestOfIt() {
        HeldUi ui = new HeldUi();
        List<List<Integer>> batches = new ArrayList<>();
        Coalescer<Integer> c = new Coalescer<>(ui, 60_000, batches::add);
        c.add(1);
        assertThat(ui.delays).as("the first update goes at once").containsExactly(0L);
        ui.runAll();
        c.add(2);
        c.add(3);
        assertThat(ui.delays).hasSize(2);
        assertThat(ui.delays.get(1)).as("the second waits out the minute").isBetween(50_000L, 60_001L);
        assertThat(batches).containsExactly(List.of(1));
        ui.runAll();
        assertThat(batches).containsExactly(List.of(1), List.of(2, 3));
    }

    @Test
    void flushDeliversWhatIsPendingAtOnceAndTheLateUpdateFindsNothing() {
        HeldUi ui = new HeldUi();
        List<List<Integer>> batches = new ArrayList<>();
        Coalescer<Integer> c = new Coalescer<>(ui, 60_000, batches::add);
        c.add(1);
        ui.runAll();
        c.add(2);
        c.flush();
        assertThat(batches).containsExactly(List.of(1), List.of(2));
        ui.runAll(); // the delayed update
        assertThat(batches).hasSize(2);
    }
}
