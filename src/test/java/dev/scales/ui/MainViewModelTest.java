package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.settings.Settings;
import dev.scales.core.settings.SettingsStore;
import dev.scales.ui.common.UiThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the window remembers between runs goes through the view model into the settings file. */
class MainViewModelTest {
    @TempDir
    Path dir;

    @Test
    void openedDatasetsBecomeRecentFilesThatSurviveARestart() throws Exception {
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        Path data = dir.resolve("train.jsonl");
        Files.writeString(data, "{\"input\": \"good\", \"label\": \"pos\"}\n");
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);
            vm.fineTune().openDataset(data);
            vm.saveSettings();
        }

        try (ModelManager manager = new ModelManager()) {
            MainViewModel again = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);
            assertThat(again.settings().recentFiles()).containsExactly(data.toAbsolutePath().toString());
            assertThat(again.fineTune().recentDatasets()).containsExactly(data.toAbsolutePath());
        }
    }

    @Test
    void theTrainingTextFollowsThePromptPaneAndMappedFieldsAndABadFileKeepsTheDatasetOpen() throws Exception {
        Path data = dir.resolve("imdb.csv");
        Files.writeString(data, "text,label\ngreat film,1\ndull,0\n");
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(new SettingsStore(dir.resolve("config")),
                    new ModelLocations(List.of()), manager, UiThread.DIRECT);
            vm.prompt().instructionProperty().set("");
            vm.prompt().templateProperty().set("Review: {input}\nSentiment: {output}\n\n");
            vm.fineTune().openDataset(data, new dev.scales.core.data.LabelledData.Fields("text", "label",
                    java.util.Map.of("0", "negative", "1", "positive")));

            assertThat(vm.fineTune().trainingTextProperty().get())
                    .isEqualTo("Review: great film\nSentiment:⟦ positive\n\n⟧");
            assertThat(vm.fineTune().datasetSummaryProperty().get()).contains("2 examples").contains("1=positive");

            // editing the prompt pane's template rewrites the training text
            vm.prompt().templateProperty().set("{input} => {output}\n");
            assertThat(vm.fineTune().trainingTextProperty().get()).isEqualTo("great film =>⟦ positive\n⟧");

            // a file that cannot be read is named, and the dataset already open stays
            vm.fineTune().openDataset(dir.resolve("missing.jsonl"));
            assertThat(vm.fineTune().datasetErrorProperty().get()).contains("missing.jsonl").contains("still using imdb.csv");
            assertThat(vm.fineTune().datasetProperty().get()).isEqualTo(data);
            assertThat(vm.fineTune().datasetSize()).isEqualTo(2);
        }
    }

    @Test
    void theLessonRunsOnTheLoadedModelWithTheLabsTaskAndSaysWhatItNeeds() throws Exception {
        Path train = dir.resolve("train.jsonl");
        Path test = dir.resolve("test.jsonl");
        StringBuilder rows = new StringBuilder();
        String[] words = {"good", "bad", "fine", "awful", "nice", "poor", "great", "dull", "lovely", "grim", "warm", "cold"};
        for (int i = 0; i < words.length; i++) {
            rows.append("{\"input\": \"").append(words[i]).append("\", \"label\": \"")
                    .append(i % 2 == 0 ? "pos" : "neg").append("\"}\n");
        }
        Files.writeString(train, rows.toString());
        Files.writeString(test, "{\"input\": \"kind\", \"label\": \"pos\"}\n{\"input\": \"sad\", \"label\": \"neg\"}\n");
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(new SettingsStore(dir.resolve("config")),
                    new ModelLocations(List.of()), manager, UiThread.DIRECT);
            manager.load(dev.scales.core.model.Golden.folder("gpt2-tiny"), "cpu").join();
            var lesson = vm.lesson();
            var general = dev.scales.ui.lesson.LessonViewModel.Step.GENERAL;

            // without the Lab's task the lesson says what it needs
            lesson.run(general);
            org.testfx.util.WaitForAsyncUtils.waitFor(20, java.util.concurrent.TimeUnit.SECONDS,
                    () -> !lesson.busyProperty().get());
            assertThat(lesson.stateProperty(general).get()).isEqualTo(dev.scales.ui.lesson.LessonViewModel.State.FAILED);
            assertThat(lesson.resultProperty(general).get()).contains("gpt2-tiny").contains("fine-tuning pane");

            // with it, step 1 measures the loaded model on that task
            vm.prompt().instructionProperty().set("");
            vm.prompt().templateProperty().set("{input}={output}\n");
            vm.prompt().examples().clear(); // the starter demonstrations do not fit gpt2-tiny's 128 tokens
            vm.fineTune().openDataset(train);
            vm.prompt().evaluate(test);
            org.testfx.util.WaitForAsyncUtils.waitFor(20, java.util.concurrent.TimeUnit.SECONDS,
                    () -> vm.prompt().metricsProperty().get() != null);
            lesson.reset();
            lesson.run(general);
            org.testfx.util.WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS,
                    () -> !lesson.busyProperty().get());
            assertThat(lesson.stateProperty(general).get()).as(lesson.resultProperty(general).get())
                    .isEqualTo(dev.scales.ui.lesson.LessonViewModel.State.DONE);
            assertThat(lesson.resultProperty(general).get()).contains("kind=");
            vm.close();
        }
    }

    @Test
    void theLessonMeasuresForgettingOnTheSameHeldOutTextAsCompare() throws Exception {
        Path bundled = dev.scales.core.AppPaths.bundledModel();
        Path heldOut = Path.of("sample-data/general/held-out.txt");
        double compare;
        try (var model = dev.scales.core.model.ModelLoader.load(bundled, ai.djl.Device.cpu())) {
            // what ExperimentRun measures as the base perplexity of the default experiment's generalText
            compare = dev.scales.core.experiment.Lab.perplexity(model, Files.readString(heldOut));
        }
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(new SettingsStore(dir.resolve("config")),
                    new ModelLocations(List.of()), manager, UiThread.DIRECT, bundled);
            var general = dev.scales.ui.lesson.LessonViewModel.Step.GENERAL;
            vm.lesson().run(general);
            org.testfx.util.WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS,
                    () -> !vm.lesson().busyProperty().get());
            assertThat(vm.lesson().resultProperty(general).get())
                    .contains(String.format(java.util.Locale.ROOT, "text %.2f", compare));
            vm.close();
        }
    }

    @Test
    void theLastModelFolderIsOfferedAgain() throws Exception {
        Path model = dir.resolve("somewhere/my-model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{}");
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        store.save(Settings.defaults().withLastModel(model.toString()).withLastDevice("cpu"));

        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);

            assertThat(vm.modelBar().selectedModelProperty().get()).isEqualTo(model.toAbsolutePath().normalize());
            assertThat(vm.settings().lastDevice()).isEqualTo("cpu");
        }
    }

    @Test
    void aFirstStartSelectsAndLoadsTheBundledModel() throws Exception {
        Path bundled = dev.scales.core.AppPaths.bundledModel();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(bundled), "the bundled model is committed");
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT, bundled);
            assertThat(vm.modelBar().selectedModelProperty().get()).isEqualTo(bundled.toAbsolutePath().normalize());

            vm.start(Runnable::run, dev.scales.core.device.EnvironmentInfo::collect);
            org.testfx.util.WaitForAsyncUtils.waitFor(30, java.util.concurrent.TimeUnit.SECONDS,
                    () -> vm.modelBar().loadedProperty().get());
            assertThat(vm.modelBar().errorProperty().get()).isNullOrEmpty();
        }
    }

    @Test
    void theLabsSetupIsSavedAsAnExperimentThatOpensInCompare() throws Exception {
        SettingsStore store = new SettingsStore(dir.resolve("config"));
        Path sentiment = Path.of("sample-data/sentiment").toAbsolutePath();
        try (ModelManager manager = new ModelManager()) {
            MainViewModel vm = new MainViewModel(store, new ModelLocations(List.of()), manager, UiThread.DIRECT);
            Path file = dir.resolve("mine.json");

            // nothing set up yet: the status says what is missing
            vm.compare().saveSetup(file);
            assertThat(vm.compare().statusProperty().get()).contains("load a model first");

            manager.load(dev.scales.core.AppPaths.bundledModel(), "cpu").join();
            vm.fineTune().openDataset(sentiment.resolve("train.jsonl"));
            vm.compare().saveSetup(file);
            assertThat(vm.compare().statusProperty().get()).contains("evaluate the prompt on a test set first");

            vm.prompt().evaluate(sentiment.resolve("validation.jsonl"));
            long end = System.nanoTime() + 60_000_000_000L;
            while (vm.prompt().runningProperty().get() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            vm.fineTune().stepsProperty().set("50");
            vm.compare().saveSetup(file);

            var e = dev.scales.core.experiment.Experiment.read(file);
            assertThat(vm.compare().experimentProperty().get()).isEqualTo(e);
            assertThat(e.name()).isEqualTo("mine");
            assertThat(e.model()).isEqualTo(dev.scales.core.AppPaths.bundledModel().toAbsolutePath().normalize());
            assertThat(e.train().getFileName().toString()).isEqualTo("train.jsonl");
            assertThat(e.test().getFileName().toString()).isEqualTo("validation.jsonl");
            assertThat(e.fineTune().steps()).isEqualTo(50);
            assertThat(e.trainingSize()).isEqualTo(128);
            assertThat(e.labelled()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128);
            assertThat(e.shots()).isEqualTo(3); // the starter prompt's three demonstrations
            assertThat(dir.resolve("mine.prompt-set.json")).exists();
        }
    }
}
