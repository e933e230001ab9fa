package dev.scales.core.pretrain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.experiment.Lab;
import dev.scales.core.experiment.Studies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The model the app starts on, as committed: small, complete, and it learns the sample task from a few examples. */
class BundledModelTest {
    private final Path folder = AppPaths.bundledModel();

    @Test
    void isAFolderOfTheStandardFilesUnderTwentyMegabytes() throws IOException {
        assertThat(folder.resolve("config.json")).exists();
        assertThat(folder.resolve("tokenizer.json")).exists();
        assertThat(folder.resolve("model.safetensors")).exists();
        assertThat(folder.resolve("README.md")).content().contains("pretrain", "seed");
        try (Stream<Path> files = Files.walk(folder)) {
            long bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            assertThat(bytes).isLessThan(20L * 1024 * 1024);
        }
    }

    @Test
    void learnsTheSentimentTaskFromSixtyFourExamplesWithLoraWhereZeroShotIsChance() {
        SampleTasks.Task sentiment = new SampleTasks(new World(1)).sentiment();
        var test = Lab.tests(sentiment.test());
        try (LoadedModel m = ModelLoader.load(folder, Device.cpu())) {
            double zero = Lab.accuracy(m, sentiment.prompts(), List.of(), test, false);
            assertThat(zero).as("zero-shot: the label mapping is not in the weights").isLessThanOrEqualTo(0.65);

            var outcome = Lab.fineTune(m, sentiment.prompts(), Lab.draw(sentiment.train(), 64, 0),
                    Lab.settings(m, true, dev.scales.core.experiment.Studies.Plan.LORA_RATE, 100, 8, 8, 0));
            try {
                assertThat(Lab.accuracy(m, sentiment.prompts(), List.of(), test, false)).isGreaterThanOrEqualTo(0.95);
            } finally {
                outcome.adapters().close();
            }
        }
    }

    @Test
    void readsTheMadeUpWordsFromAWordListInItsPromptAndLoraLearnsThemWithoutIt() {
        SampleTasks.Task novel = new SampleTasks(new World(1)).novel();
        var sentences = novel.test().subList(0, 60);
        var words = SampleTasks.novelWords(sentences);
        var list = SampleTasks.novelWordList();
        try (LoadedModel m = ModelLoader.load(folder, Device.cpu())) {
            assertThat(Lab.accuracy(m, list, list.examples(), Lab.tests(words), false))
                    .as("the category right after its word: an induction copy").isGreaterThanOrEqualTo(0.95);
            var daxes = words.stream().filter(w -> w.input().equals("dax")).toList();
            var listLessDax = list.examples().stream().filter(e -> !e.input().equals("dax")).toList();
            assertThat(Lab.accuracy(m, list, listLessDax, Lab.tests(daxes), false))
                    .as("dax, with the other five words listed").isLessThanOrEqualTo(0.5);
            assertThat(Lab.accuracy(m, novel.prompts(), List.of(), Lab.tests(sentences), false))
                    .as("zero-shot: no category is in the weights").isLessThanOrEqualTo(0.5);

            var outcome = Lab.fineTune(m, novel.prompts(), novel.train(), Lab.settings(m, true,
                    Studies.Plan.NOVEL_LORA_RATE, 300, 8, 8, 0));
            try {
                assertThat(Lab.accuracy(m, novel.prompts(), List.of(), Lab.tests(sentences), false))
                        .as("zero-shot after LoRA on the training sentences").isGreaterThanOrEqualTo(0.95);
            } finally {
                outcome.adapters().close();
            }

            assertThat(Lab.accuracy(m, list, List.of(), Lab.tests(words), false))
                    .as("the bare words, no list in the prompt").isLessThanOrEqualTo(0.5);
            var onPairs = Lab.fineTune(m, list, SampleTasks.novelWords(novel.train()), Lab.settings(m, true,
                    Studies.Plan.NOVEL_LORA_RATE, 300, 8, 8, 0));
            try {
                assertThat(Lab.accuracy(m, list, List.of(), Lab.tests(words), false))
                        .as("the bare words, no list in the prompt, after LoRA on the training pairs")
                        .isGreaterThanOrEqualTo(0.95);
            } finally {
                onPairs.adapters().close();
            }
        }
    }
}
