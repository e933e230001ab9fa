package dev.scales.ui;

import dev.scales.ui.compare.CompareView;
import dev.scales.ui.finetune.FineTunePane;
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

/** The main window's content: model bar, Lab (prompt | fine-tune) and Compare tabs, status bar. */
public final class MainView extends BorderPane {
    private final MainViewModel vm;
    private final Timeline memorySampler;

    public MainView(MainViewModel vm) {
        this.vm = vm;
        setId("main-view");
        setTop(new ModelBar(vm.modelBar()));
        setCenter(createTabs());
        setBottom(createStatusBar());
        memorySampler = new Timeline(new KeyFrame(Duration.seconds(2), e -> vm.status().refreshMemory()));
        memorySampler.setCycleCount(Timeline.INDEFINITE);
        memorySampler.play();
    }

    private TabPane createTabs() {
        ScrollPane prompt = new ScrollPane(new PromptPane(vm.prompt()));
        prompt.setFitToWidth(true);
        prompt.setFitToHeight(true);
        ScrollPane fineTune = new ScrollPane(new FineTunePane(vm.fineTune()));
        fineTune.setFitToWidth(true);
        fineTune.setFitToHeight(true);
        SplitPane lab = new SplitPane(prompt, fineTune);
        lab.setId("lab-split");
        lab.setDividerPositions(0.5);

        Tab labTab = new Tab("Lab", lab);
        labTab.setId("lab-tab");
        Tab compareTab = new Tab("Compare", new CompareView(vm.compare()));
        compareTab.setId("compare-tab");
        TabPane tabs = new TabPane(labTab, compareTab);
        tabs.setId("main-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        return tabs;
    }

    private StatusBar createStatusBar() {
        StatusBar bar = new StatusBar();
        bar.setId("status-bar");
        bar.textProperty().bind(vm.status().deviceProperty());
        Label memory = new Label();
        memory.textProperty().bind(vm.status().memoryProperty());
        Label jobs = new Label();
        jobs.setId("status-jobs");
        jobs.textProperty().bind(vm.status().jobsProperty());
        Label engine = new Label();
        engine.textProperty().bind(vm.modelBar().engineStatusProperty());
        for (Label l : new Label[] {jobs, memory, engine}) {
            l.getStyleClass().add("status-item");
        }
        bar.getRightItems().addAll(jobs, memory, engine);
        return bar;
    }

    /** Stops the periodic memory sampling (when the window closes). */
    public void dispose() {
        memorySampler.stop();
    }
}
