package dev.scales.ui;

import dev.scales.core.device.EnvironmentInfo;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.settings.Settings;
import dev.scales.core.settings.SettingsStore;
import dev.scales.ui.common.Theme;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.compare.CompareViewModel;
import dev.scales.ui.finetune.FineTuneViewModel;
import dev.scales.ui.model.ModelBarViewModel;
import dev.scales.ui.prompt.PromptViewModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The window's state: one view model per pane, plus the settings remembered between runs. */
public final class MainViewModel {
    private static final Logger LOG = LoggerFactory.getLogger(MainViewModel.class);

    private final SettingsStore store;
    private Settings settings;
    /** The device chosen last time, re-selected once the engine has listed the devices. */
    private final String savedDevice;
    private final ModelBarViewModel modelBar;
    private final PromptViewModel prompt;
    private final FineTuneViewModel fineTune;
    private final CompareViewModel compare;
    private final dev.scales.ui.lesson.LessonViewModel lesson;
    private final StatusViewModel status = new StatusViewModel();

    /** The model selected and loaded on a first start (null for none). */
    private final Path bundledModel;
    private boolean loadAtStart;
    private final javafx.beans.property.BooleanProperty presentation = new javafx.beans.property.SimpleBooleanProperty(
            this, "presentation");
    private final javafx.beans.property.ObjectProperty<Theme> theme = new javafx.beans.property.SimpleObjectProperty<>(
            this, "theme", Theme.LIGHT);

    public MainViewModel(SettingsStore store, ModelLocations locations, ModelManager manager, UiThread ui) {
        this(store, locations, manager, ui, null);
    }

    /** As above; {@code bundledModel} is loaded at start when no model was saved from last time. */
    public MainViewModel(SettingsStore store, ModelLocations locations, ModelManager manager, UiThread ui,
                         Path bundledModel) {
        this.bundledModel = bundledModel;
        this.store = store;
        this.settings = store.load();
        this.savedDevice = settings.lastDevice();
        this.modelBar = new ModelBarViewModel(locations, manager, ui);
        this.prompt = new PromptViewModel(manager, ui);
        this.compare = new CompareViewModel(manager, ui);
        this.lesson = new dev.scales.ui.lesson.LessonViewModel(manager, ui, () -> openLesson(manager, bundledModel));
        // A lesson runs on the model loaded when it starts: another model starts it afresh.
        manager.addListener(m -> ui.run(lesson::reset));
        this.compare.setSetupSource(file -> labSetup(manager, file));
        if (bundledModel != null) {
            compare.openDefault(dev.scales.core.AppPaths.home()); // the sample experiment a new user sees
        }
        manager.addJobListener(jobs -> ui.run(() -> status.setJobs(jobs)));
        manager.addVariantListener(v -> {
            var accounted = manager.accountedBytes();
            ui.run(() -> status.setAccounted(accounted));
        });
        this.fineTune = new FineTuneViewModel(manager, ui, () -> {
            // Labelled rows are written as the prompt pane writes its zero-shot prompt (in chat format
            // when it is on); conversations always by the model's chat template.
            var p = prompt.promptProperty().get();
            var chat = manager.current().flatMap(dev.scales.core.model.LoadedModel::chat).orElse(null);
            return p != null ? new dev.scales.core.train.TrainingData.Format(p.instruction(), p.template(),
                    p.isChat() ? p.chat() : chat, p.isChat())
                    : new dev.scales.core.train.TrainingData.Format("",
                            new dev.scales.core.prompt.PromptTemplate("{input}\n{output}\n\n"), chat, false);
        });
        // The training text follows the prompt pane: what the preview shows is what a run trains on.
        prompt.promptProperty().addListener((o, was, now) -> fineTune.refreshTrainingText());
        initListeners();
    }

    private void initListeners() {
        presentation.set(settings.presentation());
        presentation.addListener((obs, old, on) -> settings = settings.withPresentation(on));
        theme.set(Theme.named(settings.theme()));
        theme.addListener((obs, old, now) -> settings = settings.withTheme(now.id()));
        modelBar.refreshModels();
        if (settings.lastModel() != null && Files.isDirectory(Path.of(settings.lastModel()))) {
            modelBar.addModelFolder(Path.of(settings.lastModel()));
            loadAtStart = true;
        } else if (bundledModel != null && ModelLocations.isModelFolder(bundledModel)) {
            modelBar.addModelFolder(bundledModel); // a first start (or the last model is gone): the bundled one
            loadAtStart = true;
        }
        modelBar.selectDevice(settings.lastDevice());
        modelBar.selectedModelProperty().addListener((obs, old, now) ->
                settings = settings.withLastModel(now == null ? null : now.toString()));
        modelBar.selectedDeviceProperty().addListener((obs, old, now) -> {
            if (now != null) {
                settings = settings.withLastDevice(now.id());
            }
        });
        modelBar.loadedProperty().addListener((obs, old, now) -> fineTune.setModelLoaded(now));
        fineTune.recentDatasets().setAll(settings.recentFiles().stream().map(Path::of).filter(Files::isRegularFile)
                .toList());
        fineTune.datasetProperty().addListener((obs, old, now) -> {
            if (now != null) {
                settings = settings.withRecentFile(now.toAbsolutePath().toString());
                fineTune.recentDatasets().setAll(settings.recentFiles().stream().map(Path::of).toList());
            }
        });
        modelBar.environmentProperty().addListener((obs, old, env) -> {
            if (env != null) {
                status.setDevice("devices: " + String.join(", ", env.devices().stream().map(d -> d.id()).toList()));
            }
        });
    }

    /** Starts the engine in the background (the app passes a daemon executor; tests a direct one). */
    public void start(Executor background, Supplier<EnvironmentInfo> probe) {
        String wanted = savedDevice;
        boolean reload = loadAtStart && modelBar.selectedModelProperty().get() != null;
        modelBar.environmentProperty().addListener((obs, old, env) -> {
            modelBar.selectDevice(wanted);
            if (reload) {
                modelBar.load(); // the model the user had last time, or the bundled one
            }
        });
        modelBar.startEngine(background, probe);
    }

    /** Presentation mode (large type, high contrast, thick chart lines); remembered between runs. */
    public javafx.beans.property.BooleanProperty presentationProperty() {
        return presentation;
    }

    /** The look, Primer Light or Dark; remembered between runs. */
    public javafx.beans.property.ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    /** Whether the welcome tour opens at start: not once it is done with, nor with {@code -Dscales.tour=false} (tests). */
    public boolean tourAtStart() {
        return !settings.tourSeen() && !"false".equals(System.getProperty("scales.tour"));
    }

    /** The welcome tour is done with: written at once, so that it never opens at start again. */
    public void tourSeen() {
        settings = settings.withTourSeen(true);
        saveSettings();
    }

    public Settings settings() {
        return settings;
    }

    public void updateSettings(java.util.function.UnaryOperator<Settings> change) {
        settings = change.apply(settings);
    }

    /** Writes the settings; a failure is logged, never thrown at a closing window. */
    public void saveSettings() {
        try {
            store.save(settings);
        } catch (IOException e) {
            LOG.warn("Could not save settings to {}: {}", store.file(), e.getMessage());
        }
    }

    public ModelBarViewModel modelBar() {
        return modelBar;
    }

    public PromptViewModel prompt() {
        return prompt;
    }

    public FineTuneViewModel fineTune() {
        return fineTune;
    }

    public CompareViewModel compare() {
        return compare;
    }

    public dev.scales.ui.lesson.LessonViewModel lesson() {
        return lesson;
    }

    /**
     * The experiment the Lab describes: the loaded model, the prompt pane's prompt (written beside
     * {@code file} as a prompt set) and its last test set, the fine-tuning pane's dataset and
     * settings; N labelled from 1 doubling up to the dataset's size, 3 seeds.
     */
    private dev.scales.core.experiment.Experiment labSetup(ModelManager manager, Path file) {
        Path model = manager.current().map(dev.scales.core.model.LoadedModel::folder).orElseThrow(() ->
                new dev.scales.core.ScalesException("load a model first"));
        Path train = fineTune.datasetProperty().get();
        if (train == null) {
            throw new dev.scales.core.ScalesException("open a labelled training dataset in the fine-tuning pane first");
        }
        Path test = prompt.lastTestSetProperty().get();
        if (test == null) {
            throw new dev.scales.core.ScalesException("evaluate the prompt on a test set first (Evaluate… in the "
                    + "prompt pane): the experiment uses that test set");
        }
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
        Path promptSet = file.resolveSibling(name + ".prompt-set.json");
        prompt.savePromptSet(promptSet);
        if (!java.nio.file.Files.isRegularFile(promptSet)) {
            throw new dev.scales.core.ScalesException("the prompt could not be saved: " + prompt.evaluationStatusProperty().get());
        }
        int shots = (int) prompt.examples().stream().filter(r -> r.toExample().enabled()).count();
        int size = fineTune.datasetSize();
        java.util.List<Integer> labelled = new java.util.ArrayList<>();
        for (int n = 1; n <= size; n *= 2) {
            labelled.add(n);
        }
        Path general = dev.scales.core.AppPaths.home().resolve("sample-data/general/held-out.txt");
        var s = fineTune.settings(); // throws naming the first bad value
        var ft = new dev.scales.core.experiment.Experiment.FineTune(s.isLora() ? "lora" : "full", s.learningRate(),
                s.maxSteps(), s.batchSize(), s.isLora() ? s.lora().rank() : 8);
        var p = prompt.promptProperty().get();
        return new dev.scales.core.experiment.Experiment(name, model, train, test, promptSet,
                java.nio.file.Files.isRegularFile(general) ? general : null, Math.max(1, shots), ft, size, labelled, 3,
                fineTune.fields(), p != null && p.isChat());
    }

    /**
     * The lesson on the loaded model, on its device: the bundled model (or none loaded) with its
     * sample task, sentiment; any other model with the Lab's task — the prompt pane's prompt, the
     * fine-tuning pane's dataset (a fifth held out for demonstrations) and the test set last evaluated.
     */
    private dev.scales.core.experiment.Lesson openLesson(ModelManager manager, Path bundledModel) {
        var current = manager.current();
        var tasks = new dev.scales.core.corpus.SampleTasks(new dev.scales.core.corpus.World(1));
        String general = heldOutText(tasks);
        boolean bundled = current.isEmpty() || bundledModel != null
                && current.get().folder().toAbsolutePath().normalize().equals(bundledModel.toAbsolutePath().normalize());
        if (bundled) {
            if (bundledModel == null || !ModelLocations.isModelFolder(bundledModel)) {
                throw new dev.scales.core.ScalesException("the lesson needs a model: load one, or reinstall to get the "
                        + "bundled model (assets/models/scales-tiny)");
            }
            return dev.scales.core.experiment.Lesson.onDeviceOf(current, bundledModel, tasks.sentiment(), general,
                    "Mia tried the soup. it was", 200, 100);
        }
        var model = current.get();
        var task = labTask(model);
        return dev.scales.core.experiment.Lesson.onDeviceOf(current, model.folder(), task, general,
                task.prompts().prompt(java.util.List.of(), task.test().get(0).input()).render(), 200, 100);
    }

    /**
     * The general text forgetting is measured on: the same held-out file Compare's experiments name
     * (sample-data/general/held-out.txt), so both report the same perplexity before fine-tuning.
     */
    private static String heldOutText(dev.scales.core.corpus.SampleTasks tasks) {
        Path file = dev.scales.core.AppPaths.home().resolve("sample-data/general/held-out.txt");
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return String.join("\n\n", tasks.generalText(60)) + "\n"; // what that file holds
        }
    }

    /** The Lab's labelled task as the lesson reads it. */
    private dev.scales.core.corpus.SampleTasks.Task labTask(dev.scales.core.model.LoadedModel model) {
        Path train = fineTune.datasetProperty().get();
        Path test = prompt.lastTestSetProperty().get();
        var p = prompt.promptProperty().get();
        if (train == null || test == null || p == null) {
            throw new dev.scales.core.ScalesException("to run the lesson on " + model.name() + ", open its labelled "
                    + "training data in the fine-tuning pane and evaluate the prompt on a test set (Evaluate…); or "
                    + "load the bundled model for the sample lesson");
        }
        var items = dev.scales.core.data.LabelledData.read(train, fineTune.fields()).rows().stream()
                .map(r -> new dev.scales.core.corpus.SampleTasks.Item(r.input(), r.label())).collect(
                        java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
        var tests = dev.scales.core.data.LabelledData.read(test, prompt.lastTestFields()).rows().stream()
                .map(r -> new dev.scales.core.corpus.SampleTasks.Item(r.input(), r.label())).toList();
        java.util.List<String> labels = items.stream().map(dev.scales.core.corpus.SampleTasks.Item::label).distinct()
                .toList();
        if (items.size() < 10 || labels.size() < 2 || tests.isEmpty()) {
            throw new dev.scales.core.ScalesException(train.getFileName() + ": the lesson needs at least 10 labelled "
                    + "examples of two labels or more, and a test set");
        }
        java.util.Collections.shuffle(items, new java.util.Random(dev.scales.core.corpus.SampleTasks.SEED));
        int held = Math.max(labels.size(), items.size() / 5);
        var set = new dev.scales.core.prompt.PromptSet(p.instruction(), p.template(),
                dev.scales.core.prompt.LabelSet.of(labels.toArray(String[]::new)), p.examples(), p.chat());
        return new dev.scales.core.corpus.SampleTasks.Task(train.getFileName().toString(), items.subList(held,
                items.size()), items.subList(0, held), tests, set);
    }

    /** Frees what the view models hold beyond the model manager (the lesson's model copies). */
    public void close() {
        lesson.close();
    }

    public StatusViewModel status() {
        return status;
    }
}
