package dev.scales.core.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleTasksTest {
    private final SampleTasks tasks = new SampleTasks(new World(1));

    @Test
    void splitsAreDisjointAndBalanced() {
        for (SampleTasks.Task t : List.of(tasks.sentiment(), tasks.topic(), tasks.novel())) {
            Set<String> seen = new HashSet<>();
            Stream.of(t.train(), t.validation(), t.test()).flatMap(List::stream)
                    .forEach(i -> assertThat(seen.add(i.input())).as(t.name() + ": " + i.input()).isTrue());
            Map<String, Long> counts = t.test().stream()
                    .collect(Collectors.groupingBy(SampleTasks.Item::label, Collectors.counting()));
            assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(t.prompts().labels().labels());
            long min = counts.values().stream().mapToLong(Long::longValue).min().orElseThrow();
            long max = counts.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(max - min).as(t.name()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void madeUpWordsKeepTheirCategoryAcrossSplits() {
        SampleTasks.Task novel = tasks.novel();
        Stream.of(novel.train(), novel.test()).flatMap(List::stream).forEach(i -> {
            String word = SampleTasks.novelWord(i.input());
            assertThat(i.input().toLowerCase()).contains(word);
            assertThat(SampleTasks.novelCategory(word)).isEqualTo(i.label());
        });
    }

    @Test
    void theWordListWritesEachMadeUpWordOnceRightBeforeItsCategory() {
        var list = SampleTasks.novelWordList();
        assertThat(list.examples()).extracting(e -> e.input()).containsExactlyElementsOf(Texts.RESERVED_NONCE);
        assertThat(list.examples())
                .allSatisfy(e -> assertThat(e.output()).isEqualTo(SampleTasks.novelCategory(e.input())));
        assertThat(list.prompt(list.examples().subList(0, 2), "fep").render())
                .isEqualTo("Answer with animal, food or tool.\n\ndax animal\nwug animal\nfep");
        assertThat(SampleTasks.novelWords(List.of(new SampleTasks.Item("Look, a wug near the door.", "animal"))))
                .as("a sentence asked as the word list asks it")
                .containsExactly(new SampleTasks.Item("wug", "animal"));
    }

    @Test
    void aSentenceWithoutAMadeUpWordIsRefusedWithTheSentenceNamed() {
        assertThatThrownBy(() -> SampleTasks.novelWord("The old fox stayed in Ashford."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("The old fox");
    }

    @Test
    void theCommittedSampleDataIsWhatTheGeneratorWrites(@TempDir Path dir) throws IOException {
        tasks.write(dir);
        Path committed = Path.of("sample-data");
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> written = files.filter(Files::isRegularFile).toList();
            assertThat(written).hasSize(14);
            for (Path f : written) {
                Path rel = dir.relativize(f);
                assertThat(committed.resolve(rel)).as(rel.toString()).exists();
                assertThat(Files.mismatch(f, committed.resolve(rel))).as(rel + " differs from sample-data; run "
                        + "`java -jar target/scales.jar samples --out sample-data`").isEqualTo(-1L);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameTasks() {
        Function<SampleTasks.Task, List<SampleTasks.Item>> all = t -> Stream.of(t.train(), t.validation(), t.test())
                .flatMap(List::stream).toList();
        assertThat(all.apply(new SampleTasks(new World(1)).topic())).isEqualTo(all.apply(tasks.topic()));
    }
}
