package dev.scales.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four steps of the lesson, measured on the bundled model and the sample sentiment task. */
class LessonTest {
    @Test
    void theFourStepsMeasureWhatTheySay() {
        SampleTasks tasks = new SampleTasks(new World(1));
        String heldOut = String.join("\n\n", tasks.generalText(4));
        try (Lesson lesson = new Lesson(AppPaths.bundledModel(), tasks.sentiment(), heldOut, 64, 100)) {
            List<Double> shares = new ArrayList<>();
            Lesson.General general = lesson.general(() -> false, shares::add);
            assertThat(shares).containsExactly(1 / 3.0, 2 / 3.0, 1.0); // a generation, an evaluation, a perplexity
            assertThat(general.zeroShotAccuracy()).isBetween(0.0, 0.65); // no task knowledge yet
            assertThat(general.perplexity()).isGreaterThan(1);
            assertThat(general.continuation()).isNotBlank();

            List<Integer> steps = new ArrayList<>();
            shares.clear();
            Lesson.Practice practice = lesson.practice(st -> steps.add(st.step()), () -> false, shares::add);
            assertThat(steps).hasSize(100).startsWith(1, 2, 3);
            assertThat(shares).hasSize(101).isSorted().startsWith(1 / 101.0).endsWith(1.0); // 100 steps, an evaluation
            double first = practice.losses().subList(0, 10).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double last = practice.losses().subList(90, 100).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            assertThat(last).isLessThan(0.75 * first); // the label token: from a coin toss between the two labels to sure
            assertThat(practice.zeroShotAccuracy()).isGreaterThanOrEqualTo(0.9);

            shares.clear();
            Lesson.Improvise improvise = lesson.improvise(() -> false, shares::add);
            assertThat(shares).hasSize(1 + (Lesson.SHOTS.size() - 1) * Lesson.SEEDS).isSorted().endsWith(1.0);
            assertThat(improvise.points()).extracting(p -> (int) p.x()).containsExactlyElementsOf(Lesson.SHOTS);
            assertThat(improvise.points().get(0).values()).hasSize(1);
            assertThat(improvise.points().get(4).values()).hasSize(Lesson.SEEDS);
            // the base model: practice did not touch it
            assertThat(improvise.points().get(0).mean()).isEqualTo(general.zeroShotAccuracy());

            shares.clear();
            Lesson.Both both = lesson.both(st -> steps.add(st.step()), () -> false, shares::add);
            assertThat(shares).hasSize(6).isSorted().endsWith(1.0); // practised already: four accuracies, two perplexities
            assertThat(steps).hasSize(100);
            assertThat(both.baseZeroShot()).isEqualTo(general.zeroShotAccuracy());
            assertThat(both.tunedZeroShot()).isEqualTo(practice.zeroShotAccuracy());
            assertThat(both.perplexityBefore()).isEqualTo(general.perplexity());
            assertThat(both.forgetting()).isEqualTo(both.perplexityAfter() / both.perplexityBefore() - 1);
        }
    }

    @Test
    void aStopEndsStepOneBeforeItsNextMeasure() {
        SampleTasks tasks = new SampleTasks(new World(1));
        try (Lesson lesson = new Lesson(AppPaths.bundledModel(), tasks.sentiment(), "Mia tried the soup.", 64, 100)) {
            List<Double> shares = new ArrayList<>();
            // stopped once the first measure (the generation) is done
            assertThatThrownBy(() -> lesson.general(() -> !shares.isEmpty(), shares::add))
                    .isInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(shares).containsExactly(1 / 3.0);
        }
    }
}
