package dev.scales.ui;

import dev.scales.ui.common.Errors;
import dev.scales.ui.common.Presentation;
import dev.scales.ui.common.Theme;
import dev.scales.ui.common.Zoom;
import dev.scales.ui.compare.CompareView;
import dev.scales.ui.finetune.FineTunePane;
import dev.scales.ui.help.AboutBox;
import dev.scales.ui.help.GuideWindow;
import dev.scales.ui.help.HelpMenu;
import dev.scales.ui.help.WelcomeTour;
import dev.scales.ui.model.ModelBar;
import dev.scales.ui.prompt.PromptPane;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.util.Duration;
import org.controlsfx.control.StatusBar;

/** The main window's content: model bar, Lab (prompt | fine-tune), Compare and Lesson tabs, status bar with Help. */
public final class MainView extends BorderPane {
    private final MainViewModel vm;
    private final Timeline memorySampler;
    private final GuideWindow guide;
    private final WelcomeTour tour;
    private boolean tourOffered;
    private Throwable lastFailure;

    public MainView(MainViewModel vm) {
        this.vm = vm;
        this.guide = new GuideWindow(vm.presentationProperty());
        setId("main-view");
        vm.themeProperty().get().apply(this); // first: the panes' charts are made in it
        setTop(new ModelBar(vm.modelBar()));
        setCenter(createTabs());
        // The welcome tour starts from the Lab tab, where the panes it points at are.
        tour = new WelcomeTour(this, () -> ((TabPane) getCenter()).getSelectionModel().select(0), vm::tourSeen);
        setBottom(createStatusBar());
        vm.themeProperty().addListener((obs, old, theme) -> theme.apply(this));
        Presentation.apply(this, vm.presentationProperty().get());
        vm.presentationProperty().addListener((obs, old, on) -> Presentation.apply(this, on));
        // Charts drawn later (an experiment's results) follow the mode too; they take the theme when made.
        vm.compare().resultsProperty().addListener((obs, old, r) -> javafx.application.Platform.runLater(
                () -> Presentation.apply(this, vm.presentationProperty().get())));
        sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                installShortcuts(scene);
                offerTourWhenShown(scene);
            }
        });
        Errors.onUnexpected(this::showFailure);
        memorySampler = new Timeline(new KeyFrame(Duration.seconds(2), e -> vm.status().refreshMemory(dev.scales.ui.common.UiThread.FX)));
        memorySampler.setCycleCount(Timeline.INDEFINITE);
        memorySampler.play();
    }

    private TabPane createTabs() {
        ScrollPane prompt = new ScrollPane(new PromptPane(vm.prompt()));
        prompt.setAccessibleText("Prompt pane: in-context learning");
        prompt.setFitToWidth(true);
        // Not fit to height: the pane keeps its natural height and scrolls, so the examples table
        // and the preview are never squeezed to nothing when results appear below them.
        ScrollPane fineTune = new ScrollPane(new FineTunePane(vm.fineTune()));
        fineTune.setAccessibleText("Fine-tuning pane: training");
        fineTune.setFitToWidth(true);
        fineTune.setFitToHeight(true);
        SplitPane lab = new SplitPane(prompt, fineTune);
        lab.setId("lab-split");
        lab.setAccessibleText("Lab: the prompt pane beside the fine-tuning pane");
        lab.setDividerPositions(0.5);

        Tab labTab = new Tab("Lab", lab);
        labTab.setId("lab-tab");
        Tab compareTab = new Tab("Compare", new CompareView(vm.compare()));
        compareTab.setId("compare-tab");
        Tab lessonTab = new Tab("Lesson", new ScrollPane(new dev.scales.ui.lesson.LessonView(vm.lesson())));
        ((ScrollPane) lessonTab.getContent()).setFitToWidth(true);
        ((ScrollPane) lessonTab.getContent()).setFitToHeight(true);
        lessonTab.getContent().setAccessibleText("Lesson: four steps from the general model to both methods");
        lessonTab.setId("lesson-tab");
        TabPane tabs = new TabPane(labTab, compareTab, lessonTab);
        tabs.setId("main-tabs");
        tabs.setAccessibleText("Lab, Compare and Lesson");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        return tabs;
    }

    /** The keys the app answers to wherever the focus is; F1 lists them. */
    static final java.util.List<String[]> SHORTCUTS = java.util.List.of(
            new String[] {"Tab / Shift+Tab", "The next or the previous control, text boxes included"},
            new String[] {"Ctrl+Enter", "Run the prompt"},
            new String[] {"Esc", "Stop what is running (a model load, a run, an evaluation, a sweep, a fine-tune, an experiment, "
                    + "an export, a lesson step)"},
            new String[] {"Ctrl+O", "Open a dataset for fine-tuning"},
            new String[] {"Ctrl+S", "Save the prompt set"},
            new String[] {"Ctrl+Wheel", "Zoom a chart (double-click shows everything again)"},
            new String[] {"Ctrl+plus / Ctrl+minus", "Larger or smaller type (Ctrl+0: as it was)"},
            new String[] {"F11", "Full screen on or off"},
            new String[] {"F1", "The user guide (the Help menu, bottom right, has this list, the tour and About)"});

    private void installShortcuts(javafx.scene.Scene scene) {
        var shortcut = javafx.scene.input.KeyCombination.SHORTCUT_DOWN;
        var keys = scene.getAccelerators();
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.ENTER, shortcut),
                () -> vm.prompt().run());
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.ESCAPE), this::stopAll);
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.O, shortcut),
                () -> fire("#open-dataset"));
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.S, shortcut),
                () -> fire("#save-prompt-set"));
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.F11), () -> {
            if (scene.getWindow() instanceof javafx.stage.Stage stage) {
                stage.setFullScreen(!stage.isFullScreen());
            }
        });
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.F1), this::showGuide);
        installZoom(keys, shortcut);
    }

    /** Ctrl+plus (also Ctrl+= and the keypad's +), Ctrl+minus, Ctrl+0. */
    private void installZoom(javafx.collections.ObservableMap<javafx.scene.input.KeyCombination, Runnable> keys,
                             javafx.scene.input.KeyCombination.Modifier shortcut) {
        for (javafx.scene.input.KeyCode k : new javafx.scene.input.KeyCode[] {javafx.scene.input.KeyCode.PLUS,
            javafx.scene.input.KeyCode.EQUALS, javafx.scene.input.KeyCode.ADD}) {
            keys.put(new javafx.scene.input.KeyCodeCombination(k, shortcut), () -> Zoom.in(this));
        }
        for (javafx.scene.input.KeyCode k : new javafx.scene.input.KeyCode[] {javafx.scene.input.KeyCode.MINUS,
            javafx.scene.input.KeyCode.SUBTRACT}) {
            keys.put(new javafx.scene.input.KeyCodeCombination(k, shortcut), () -> Zoom.out(this));
        }
        keys.put(new javafx.scene.input.KeyCodeCombination(javafx.scene.input.KeyCode.DIGIT0, shortcut),
                () -> Zoom.reset(this));
    }

    /** Esc: everything that runs is asked to stop. */
    private void stopAll() {
        vm.modelBar().cancelLoad();
        vm.prompt().cancel();
        vm.fineTune().stop();
        vm.compare().cancel();
        vm.lesson().cancel();
    }

    private void fire(String id) {
        if (lookup(id) instanceof javafx.scene.control.ButtonBase b && !b.isDisabled()) {
            b.fire();
        }
    }

    private void showShortcuts() {
        javafx.scene.layout.GridPane grid = new javafx.scene.layout.GridPane();
        grid.setId("shortcuts");
        grid.setHgap(16);
        grid.setVgap(6);
        for (int i = 0; i < SHORTCUTS.size(); i++) {
            Label key = new Label(SHORTCUTS.get(i)[0]);
            key.setStyle("-fx-font-weight: bold");
            grid.addRow(i, key, new Label(SHORTCUTS.get(i)[1]));
        }
        javafx.scene.control.Alert help = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.INFORMATION);
        help.setTitle("Scales: keyboard shortcuts");
        help.setHeaderText("Keyboard shortcuts (the user guide, F1, explains the rest)");
        help.getDialogPane().setContent(grid);
        if (getScene() != null) {
            help.initOwner(getScene().getWindow());
        }
        help.show();
    }

    private StatusBar createStatusBar() {
        StatusBar bar = new StatusBar();
        bar.setId("status-bar");
        bar.setAccessibleText("Status: device, memory and jobs");
        bar.textProperty().bind(vm.status().deviceProperty());
        Label memory = new Label();
        memory.textProperty().bind(vm.status().memoryProperty());
        javafx.scene.control.Hyperlink jobs = new javafx.scene.control.Hyperlink();
        jobs.setId("status-jobs");
        jobs.textProperty().bind(vm.status().jobsProperty());
        jobs.setOnAction(e -> showJobs(jobs));
        Label engine = new Label();
        engine.textProperty().bind(vm.modelBar().engineStatusProperty());
        jobs.getStyleClass().add("status-item");
        for (Label l : new Label[] {memory, engine}) {
            l.getStyleClass().add("status-item");
        }
        javafx.scene.control.ToggleButton presentation = new javafx.scene.control.ToggleButton("Presentation");
        presentation.setId("presentation-toggle");
        presentation.setTooltip(new javafx.scene.control.Tooltip("Large type, high contrast and thick chart lines, "
                + "for a projector"));
        presentation.selectedProperty().bindBidirectional(vm.presentationProperty());
        bar.getRightItems().addAll(jobs, memory, engine, presentation, darkToggle(vm.themeProperty()), helpMenu());
        return bar;
    }

    /** Dark theme on or off: Primer Dark or Light, as the view model keeps it. */
    private static javafx.scene.control.ToggleButton darkToggle(javafx.beans.property.ObjectProperty<Theme> theme) {
        javafx.scene.control.ToggleButton dark = new javafx.scene.control.ToggleButton("Dark");
        dark.setId("theme-toggle");
        dark.setTooltip(new javafx.scene.control.Tooltip("Dark theme: light text on a dark background, charts included"));
        dark.setSelected(theme.get() == Theme.DARK);
        dark.selectedProperty().addListener((obs, was, on) -> theme.set(on ? Theme.DARK : Theme.LIGHT));
        theme.addListener((obs, was, now) -> dark.setSelected(now == Theme.DARK));
        return dark;
    }

    /** Help: the user guide, the keys, the welcome tour and the versions. */
    private HelpMenu helpMenu() {
        return new HelpMenu(this::showGuide, this::showShortcuts, tour::start,
                () -> AboutBox.show(window(), vm.modelBar().environmentProperty().get()));
    }

    private void showGuide() {
        guide.show(window());
    }

    private javafx.stage.Window window() {
        return getScene() == null ? null : getScene().getWindow();
    }

    /** On a first start the welcome tour opens once the window shows (it may show already: a reused stage). */
    private void offerTourWhenShown(javafx.scene.Scene scene) {
        scene.windowProperty().addListener((obs, old, w) -> {
            if (w != null) {
                offerTour(w);
                w.addEventHandler(javafx.stage.WindowEvent.WINDOW_SHOWN, e -> offerTour(w));
            }
        });
    }

    private void offerTour(javafx.stage.Window w) {
        if (w.isShowing() && !tourOffered) {
            tourOffered = true;
            if (vm.tourAtStart()) {
                javafx.application.Platform.runLater(tour::start); // after the first layout
            }
        }
    }

    /** A failure that is not the user's to fix: its details in a dialog, once, while this window shows. */
    private void showFailure(Throwable t) {
        javafx.application.Platform.runLater(() -> {
            javafx.stage.Window w = window();
            if (t != lastFailure && w != null && w.isShowing()) {
                lastFailure = t;
                Errors.showDetails(w, t);
            }
        });
    }

    /** A popover listing the queued and running jobs, each with a Cancel button; it follows the list live. */
    private void showJobs(javafx.scene.Node anchor) {
        javafx.scene.layout.VBox rows = new javafx.scene.layout.VBox(6);
        rows.setId("jobs-popover");
        rows.setPadding(new javafx.geometry.Insets(10));
        rows.setMinWidth(320);
        Runnable fill = () -> {
            rows.getChildren().clear();
            if (vm.status().jobList().isEmpty()) {
                rows.getChildren().add(new Label("No jobs are queued or running."));
            }
            for (dev.scales.core.device.Job<?> job : vm.status().jobList()) {
                Label name = new Label(job + " · " + job.device());
                name.setMaxWidth(Double.MAX_VALUE);
                javafx.scene.layout.HBox.setHgrow(name, javafx.scene.layout.Priority.ALWAYS);
                javafx.scene.control.Button cancel = new javafx.scene.control.Button("Cancel");
                cancel.setOnAction(e -> job.cancel());
                rows.getChildren().add(new javafx.scene.layout.HBox(8, name, cancel));
            }
        };
        fill.run();
        javafx.collections.ListChangeListener<dev.scales.core.device.Job<?>> follow = c -> fill.run();
        vm.status().jobList().addListener(follow);
        org.controlsfx.control.PopOver pop = new org.controlsfx.control.PopOver(rows);
        pop.setTitle("Jobs");
        pop.setArrowLocation(org.controlsfx.control.PopOver.ArrowLocation.BOTTOM_RIGHT);
        pop.setOnHidden(e -> vm.status().jobList().removeListener(follow));
        pop.show(anchor);
    }

    /** Stops the periodic memory sampling (when the window closes). */
    public void dispose() {
        memorySampler.stop();
    }
}
