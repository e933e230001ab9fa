package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Experiment;
import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.Studies;
import dev.scales.core.model.Golden;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.TrainingEvent;
import dev.scales.ui.common.Swatch;
import dev.scales.ui.common.Theme;
import dev.scales.ui.lesson.LessonViewModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Dark toggle in the status bar: the theme's stylesheet, the panes' and the charts' colours, remembered. */
@ExtendWith(ApplicationExtension.class)
class ThemeTest {
    @TempDir
    Path dir;

    private final ModelManager manager = new ModelManager();
    private MainViewModel vm;
    private Parent root;

    @Start
    void start(Stage stage) {
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
        root = stage.getScene().getRoot();
    }

    @AfterEach
    void lightAgain(FxRobot robot) {
        robot.interact(() -> {
            new ArrayList<>(Window.getWindows()).stream().filter(w -> w != root.getScene().getWindow())
                    .forEach(Window::hide);
            Theme.LIGHT.apply(root); // the theme is the application's: the next test's too
        });
        manager.close();
    }

    @Test
    void theDarkToggleSwitchesTheStylesheetThePanesAndTheChartsAndIsRemembered(FxRobot robot) {
        // given the light theme, as the app starts
        assertThat(Application.getUserAgentStylesheet()).endsWith("primer-light.css");
        JFreeChart loss = robot.lookup("#loss-chart").queryAs(ChartViewer.class).getChart();
        assertThat(loss.getBackgroundPaint()).isEqualTo(Theme.LIGHT.chart().background());
        assertThat(brightness(textFill(robot, ".pane-title"))).as("dark titles").isLessThan(0.2);

        // when
        robot.clickOn("#theme-toggle");
        styled(robot);

        // then the stylesheet, the panes and the charts are dark, errors still red
        assertThat(Application.getUserAgentStylesheet()).endsWith("primer-dark.css");
        assertThat(brightness(textFill(robot, ".pane-title"))).as("light titles").isGreaterThan(0.6);
        Region pane = robot.lookup(".lab-pane").queryAs(Region.class);
        assertThat(brightness((Color) pane.getBackground().getFills().get(0).getFill())).as("dark panes").isLessThan(0.1);
        assertThat(loss.getBackgroundPaint()).isEqualTo(Theme.DARK.chart().background());
        assertThat(loss.getXYPlot().getBackgroundPaint()).isEqualTo(Theme.DARK.chart().background());
        assertThat(loss.getXYPlot().getDomainAxis().getTickLabelPaint()).isEqualTo(Theme.DARK.chart().text());
        assertThat(loss.getLegend().getItemPaint()).isEqualTo(Theme.DARK.chart().text());
        assertThat(loss.getXYPlot().getRenderer(1).getSeriesPaint(0)).isEqualTo(Swatch.BLUE.in(Theme.DARK));
        assertRedErrorText(robot);
        robot.interact(() -> vm.presentationProperty().set(true));
        assertRedErrorText(robot);

        // and an axis made now, on the log scale, is in the dark theme's colours too
        robot.clickOn("#log-scale");
        assertThat(loss.getXYPlot().getRangeAxis().getTickLabelPaint()).isEqualTo(Theme.DARK.chart().text());

        // and the choice is remembered: a window opened on the saved settings starts dark, its charts too
        assertThat(vm.settings().theme()).isEqualTo("dark");
        vm.saveSettings(); // as closing the window does
        robot.interact(() -> vm.themeProperty().set(Theme.LIGHT));
        AtomicReference<MainViewModel> next = new AtomicReference<>();
        robot.interact(() -> next.set(MainWindows.show(new Stage(), dir, manager, List.of(), "CPU")));
        assertThat(next.get().themeProperty().get()).isEqualTo(Theme.DARK);
        assertThat(Application.getUserAgentStylesheet()).endsWith("primer-dark.css");
        assertThat(next.get().settings().theme()).isEqualTo("dark");
        JFreeChart reopened = robot.lookup(n -> n instanceof ChartViewer v && v.getId().equals("loss-chart")
                && v.getScene().getWindow() != root.getScene().getWindow()).queryAs(ChartViewer.class).getChart();
        assertThat(reopened.getBackgroundPaint()).isEqualTo(Theme.DARK.chart().background());
    }

    @ParameterizedTest
    @EnumSource(Theme.class)
    void chartsThatComeAfterTheChoiceTakeTheTheme(Theme theme, FxRobot robot) throws Exception {
        // given the theme chosen, then tokens, results and curves that come after it
        robot.interact(() -> vm.themeProperty().set(theme));
        showChartsOfEveryKind(robot);

        // then every chart is in the theme's colours
        List<JFreeChart> charts = robot.lookup(n -> n instanceof ChartViewer v && v.getChart() != null)
                .queryAllAs(ChartViewer.class).stream().map(ChartViewer::getChart).toList();
        assertThat(charts).hasSizeGreaterThanOrEqualTo(8);
        for (JFreeChart chart : charts) {
            assertThat(chart.getBackgroundPaint()).isEqualTo(theme.chart().background());
            assertThat(chart.getPlot().getBackgroundPaint()).isEqualTo(theme.chart().background());
        }
        snapshotEveryPane(robot, "theme-" + theme);
    }

    @Test
    void theUserGuideAndTheWelcomeToursPopOverAreDarkToo(FxRobot robot) {
        // given
        robot.clickOn("#theme-toggle");

        // when the user guide opens
        robot.type(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();

        // then its page is dark and its text light
        Parent guide = robot.lookup("#user-guide").queryAs(Parent.class);
        Region page = robot.from(guide).lookup(".guide-page").queryAs(Region.class);
        assertThat(brightness((Color) page.getBackground().getFills().get(0).getFill())).isLessThan(0.1);
        assertThat(brightness((Color) robot.from(guide).lookup(".guide-plain").queryAs(Text.class).getFill()))
                .isGreaterThan(0.6);
        snapshot(robot, guide.getScene().getRoot(), "theme-dark-user-guide");

        // when the welcome tour opens, a pop-over
        robot.interact(() -> guide.getScene().getWindow().hide());
        robot.clickOn("#help-menu").clickOn("Show the welcome tour");
        WaitForAsyncUtils.waitForFxEvents();

        // then its balloon is dark and its text light
        Label step = robot.lookup("#tour-step").queryAs(Label.class);
        javafx.scene.shape.Path balloon = robot.lookup(".popover > .border").queryAs(javafx.scene.shape.Path.class);
        assertThat(brightness((Color) balloon.getFill())).isLessThan(0.1);
        assertThat(brightness((Color) step.getTextFill())).isGreaterThan(0.4);
        snapshot(robot, step.getScene().getRoot(), "theme-dark-tour");
    }

    /** A pane to look at: its name in the snapshot's, the tab it is on, how to find it. */
    private record Shown(String name, int tab, String query) {}

    /** Each pane whole (the Lab's two, Compare, the Lesson), then the window in presentation mode, for a person to look at. */
    private void snapshotEveryPane(FxRobot robot, String prefix) {
        TabPane tabs = robot.lookup("#main-tabs").queryAs(TabPane.class);
        for (Shown pane : List.of(new Shown("prompt", 0, "#prompt-pane"), new Shown("finetune", 0, "#finetune-pane"),
                new Shown("compare", 1, "#compare-view .lab-pane"), new Shown("lesson", 2, "#lesson"))) {
            robot.interact(() -> tabs.getSelectionModel().select(pane.tab()));
            snapshot(robot, robot.lookup(pane.query()).query(), prefix + "-" + pane.name());
        }
        robot.interact(() -> {
            tabs.getSelectionModel().select(0);
            vm.presentationProperty().set(true);
        });
        snapshot(robot, root, prefix + "-presentation");
    }

    /** The prompt pane's tokens, label chart and sweep; two runs' loss curves; the lesson's practice curve; Compare's results. */
    private void showChartsOfEveryKind(FxRobot robot) throws Exception {
        robot.interact(() -> vm.prompt().setPrompt(new FewShotPrompt("", List.of(new Example("good", "pos"),
                new Example("bad", "neg"), new Example("fine", "pos"), new Example("grim", "neg")), "nice",
                new PromptTemplate("{input}={output}\n"))));
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.prompt().runBlockedReasonProperty().get().isEmpty());
        robot.interact(() -> vm.prompt().run());
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.prompt().labelProbabilitiesProperty().get() != null
                && !vm.prompt().runningProperty().get());
        Path test = Files.writeString(dir.resolve("test.jsonl"), "{\"input\": \"nice\", \"label\": \"pos\"}\n"
                + "{\"input\": \"poor\", \"label\": \"neg\"}\n");
        robot.interact(() -> vm.prompt().sweep(test));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.prompt().runningProperty().get()
                && vm.prompt().evaluationStatusProperty().get().startsWith("accuracy against shots"));
        robot.interact(() -> {
            train("earlier run", 2.6);
            train("this run", 2.2);
            for (int step = 1; step <= 60; step++) {
                vm.lesson().losses().add(new double[] {step, 2 * Math.exp(-step / 20.0) + 0.3});
            }
            vm.lesson().show(LessonViewModel.Step.PRACTICE);
            vm.compare().show(results());
        });
        styled(robot);
    }

    /** A run of 60 steps as the fine-tuning pane receives it: its loss falling from {@code start}, a validation every 10. */
    private void train(String name, double start) {
        List<TrainingEvent> events = new ArrayList<>();
        for (int step = 1; step <= 60; step++) {
            float loss = (float) (start * Math.exp(-step / 20.0) + 0.3 + 0.1 * Math.sin(step * 1.7));
            events.add(new TrainingEvent.Step(step, 60, 0, loss, 1e-3f * (61 - step) / 60, 1.0, 100, step * 10L, 0));
            if (step % 10 == 0) {
                events.add(new TrainingEvent.Evaluation(step, loss + 0.1, Double.NaN));
            }
        }
        vm.fineTune().beginRun(name);
        vm.fineTune().addEvents(events);
    }

    /** The results of a made-up sentiment run, enough to draw Compare's grid and charts. */
    private static ExperimentRun.Results results() {
        Path data = Path.of("sample-data/sentiment").toAbsolutePath();
        Experiment e = new Experiment("sentiment", AppPaths.bundledModel(), data.resolve("train.jsonl"),
                data.resolve("test.jsonl"), data.resolve("prompt-set.json"), null, 4,
                new Experiment.FineTune("lora", 1e-2f, 10, 8, 4), 16, List.of(1, 4, 16), 2);
        List<ExperimentRun.Cell> grid = List.of(cell("zero-shot", false, 0, 0.55), cell("few-shot", false, 4, 0.7),
                cell("fine-tuned", true, 0, 0.82), cell("fine-tuned few-shot", true, 4, 0.85));
        Studies.Curve icl = curve("few-shot prompting", 0.55, 0.7, 0.72);
        Studies.Curve tuned = curve("fine-tuning", 0.5, 0.68, 0.84);
        return new ExperimentRun.Results(e, grid, List.of(new ExperimentRun.Output(0, "a fine film", "positive",
                List.of("positive", "negative", "positive", "positive"), List.of(0.6, 0.4, 0.9, 0.95))), icl, tuned,
                new ExperimentRun.Cost(12_000, 30, 120, 20, 360, 900), new ExperimentRun.Forgetting(12.5, 13.1),
                "test", "PyTorch", "CPU", 42_000);
    }

    private static ExperimentRun.Cell cell(String method, boolean tuned, int shots, double accuracy) {
        return new ExperimentRun.Cell(method, tuned, shots, new Studies.Point(shots, List.of(accuracy, accuracy + 0.02)),
                new Studies.Point(shots, List.of(accuracy - 0.05)), 20 + 25 * shots, 0.01);
    }

    private static Studies.Curve curve(String name, double... accuracies) {
        return new Studies.Curve(name, List.of(new Studies.Point(1, List.of(accuracies[0], accuracies[0] + 0.03)),
                new Studies.Point(4, List.of(accuracies[1], accuracies[1] + 0.03)),
                new Studies.Point(16, List.of(accuracies[2], accuracies[2] + 0.03))));
    }

    /** An error label in the fine-tuning pane is red: its hue within 20° of red, strongly coloured. */
    private void assertRedErrorText(FxRobot robot) {
        Label error = new Label("refused");
        error.getStyleClass().add("error-text");
        robot.interact(() -> ((Pane) robot.lookup("#finetune-pane").query()).getChildren().add(error));
        styled(robot);
        Color fill = (Color) error.getTextFill();
        assertThat(Math.min(fill.getHue(), 360 - fill.getHue())).as("hue of " + fill).isLessThan(20);
        assertThat(fill.getSaturation()).as("saturation of " + fill).isGreaterThan(0.6);
        robot.interact(() -> ((Pane) robot.lookup("#finetune-pane").query()).getChildren().remove(error));
    }

    /** Styles and lays out the window as the next pulse would, so what is read is what is drawn. */
    private void styled(FxRobot robot) {
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> {
            root.applyCss();
            root.layout();
        });
    }

    private static Color textFill(FxRobot robot, String query) {
        return (Color) robot.lookup(query).queryLabeled().getTextFill();
    }

    /** How light a colour looks, 0 (black) to 1 (white): its encoded channels weighed as the eye weighs them. */
    private static double brightness(Color c) {
        return 0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue();
    }

    private void snapshot(FxRobot robot, Node node, String name) {
        styled(robot);
        robot.interact(() -> {
            try {
                Snapshots.save(node, name);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
