package dev.scales.ui.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.data.LabelledData;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.TrainingData;
import dev.scales.core.train.TrainingExample;
import dev.scales.ui.common.UiThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fine-tuning pane's dataset is read, and written as examples, away from the UI thread: the
 * pane shows it once that work reports back, a later request wins over an earlier one still
 * running, and a run started meanwhile trains on the rows as the prompt pane writes them then.
 */
class DatasetStateTest {
    @TempDir
    Path dir;

    private final QueuedWork work = new QueuedWork();
    private TrainingData.Format format = new TrainingData.Format("", new PromptTemplate("{input} => {output}"));
    private final DatasetState state = new DatasetState(() -> format, work);

    @Test
    void aDatasetShowsOnceItHasBeenReadAwayFromTheUiThread() throws Exception {
        Path file = rows("train.jsonl", 3);

        state.open(file, LabelledData.Fields.DEFAULT);

        assertThat(state.readingProperty().get()).isTrue();
        assertThat(state.summaryProperty().get()).isEqualTo("Reading train.jsonl…");
        assertThat(state.size()).isZero();
        work.runAll();
        assertThat(state.readingProperty().get()).isFalse();
        assertThat(state.size()).isEqualTo(3);
        assertThat(state.previewRows()).hasSize(3);
        assertThat(state.summaryProperty().get()).isEqualTo("train.jsonl · 3 examples · fields input, label");
        assertThat(state.trainingTextProperty().get()).isEqualTo("row 0 =>⟦ pos⟧");
    }

    @Test
    void theLastFileOpenedWinsWhateverOrderTheReadsEndIn() throws Exception {
        Path first = rows("first.jsonl", 2);
        Path second = rows("second.jsonl", 5);

        state.open(first, LabelledData.Fields.DEFAULT);
        state.open(second, LabelledData.Fields.DEFAULT);
        work.runLastFirst();

        assertThat(state.fileProperty().get()).isEqualTo(second);
        assertThat(state.size()).isEqualTo(5);
        assertThat(state.readingProperty().get()).isFalse();
    }

    @Test
    void aFileThatCannotBeReadIsNamedAndTheDatasetOpenStays() throws Exception {
        Path good = rows("good.jsonl", 2);
        state.open(good, LabelledData.Fields.DEFAULT);
        work.runAll();

        state.open(dir.resolve("missing.jsonl"), LabelledData.Fields.DEFAULT);
        work.runAll();

        assertThat(state.errorProperty().get()).contains("missing.jsonl").endsWith(" — still using good.jsonl");
        assertThat(state.fileProperty().get()).isEqualTo(good);
        assertThat(state.size()).isEqualTo(2);
        assertThat(state.summaryProperty().get()).startsWith("good.jsonl · 2 examples");
    }

    @Test
    void aTemplateEditedWhileTheFileIsReadIsWhatThePreviewShows() throws Exception {
        state.open(rows("train.jsonl", 2), LabelledData.Fields.DEFAULT);
        format = new TrainingData.Format("", new PromptTemplate("Review: {input}\nSentiment: {output}"));
        state.refreshTrainingText(); // the prompt pane's edit, while the file is still being read

        work.runAll();

        assertThat(state.trainingTextProperty().get()).isEqualTo("Review: row 0\nSentiment:⟦ pos⟧");
    }

    @Test
    void aRunStartedRightAfterAnEditTrainsOnTheEditedFormat() throws Exception {
        state.open(rows("train.jsonl", 2), LabelledData.Fields.DEFAULT);
        work.runAll();
        List<TrainingExample> shown = state.examplesNow().get();

        format = new TrainingData.Format("", new PromptTemplate("Q: {input}\nA: {output}"));
        state.refreshTrainingText(); // its result not back yet when the run starts
        List<TrainingExample> run = state.examplesNow().get();

        assertThat(shown.get(0).prompt()).isEqualTo("row 0 =>");
        assertThat(run.get(0).prompt()).isEqualTo("Q: row 0\nA:");
    }

    @Test
    void anUnchangedFormatWritesNothingAgain() throws Exception {
        state.open(rows("train.jsonl", 2), LabelledData.Fields.DEFAULT);
        work.runAll();

        state.refreshTrainingText();

        assertThat(work.pending()).isZero();
    }

    private Path rows(String name, int n) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("{\"input\": \"row ").append(i).append("\", \"label\": \"").append(i % 2 == 0 ? "pos" : "neg")
                    .append("\"}\n");
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    /** Work sent away from the UI thread waits here until the test runs it, in the order it chooses. */
    private static final class QueuedWork implements UiThread {
        private final Deque<Runnable> queue = new ArrayDeque<>();

        @Override
        public void run(Runnable update) {
            update.run();
        }

        @Override
        public <T> void offThread(Callable<T> job, BiConsumer<T, Exception> done) {
            queue.add(() -> UiThread.super.offThread(job, done));
        }

        int pending() {
            return queue.size();
        }

        /** Runs the queued work in order, and whatever it queues in turn. */
        void runAll() {
            while (!queue.isEmpty()) {
                queue.removeFirst().run();
            }
        }

        /** Runs the work queued last first. */
        void runLastFirst() {
            while (!queue.isEmpty()) {
                queue.removeLast().run();
            }
        }
    }
}
