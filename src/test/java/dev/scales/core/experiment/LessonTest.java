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
            assertThatThrownBy(lesson::both).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("practise first");

            Lesson.General general = lesson.general();
            assertThat(general.zeroShotAccuracy()).isBetween(0.0, 0.65); // no task knowledge yet
            assertThat(general.perplexity()).isGreaterThan(1);
            assertThat(general.continuation()).isNotBlank();

            List<Integer> steps = new ArrayList<>();
            Lesson.Practice practice = lesson.practice(st -> steps.add(st.step()), () -> false);
            assertThat(steps).hasSize(100).startsWith(1, 2, 3);
            double first = practice.losses().subList(0, 10).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double last = practice.losses().subList(90, 100).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            assertThat(last).isLessThan(0.75 * first); // the label token: from a coin toss between the two labels to sure
            assertThat(practice.zeroShotAccuracy()).isGreaterThanOrEqualTo(0.9);

            Lesson.Improvise improvise = lesson.improvise(() -> false);
            assertThat(improvise.points()).extracting(p -> (int) p.x()).containsExactlyElementsOf(Lesson.SHOTS);
            assertThat(improvise.points().get(0).values()).hasSize(1);
            assertThat(improvise.points().get(4).values()).hasSize(Lesson.SEEDS);
            // the base model: practice did not touch it
            assertThat(improvise.points().get(0).mean()).isEqualTo(general.zeroShotAccuracy());

            Lesson.Both both = lesson.both();
            assertThat(both.baseZeroShot()).isEqualTo(general.zeroShotAccuracy());
            assertThat(both.tunedZeroShot()).isEqualTo(practice.zeroShotAccuracy());
            assertThat(both.perplexityBefore()).isEqualTo(general.perplexity());
            assertThat(both.forgetting()).isEqualTo(both.perplexityAfter() / both.perplexityBefore() - 1);
        }
    }
}
