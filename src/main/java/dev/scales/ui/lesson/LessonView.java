package dev.scales.ui.lesson;

import dev.scales.core.experiment.Lesson;
import dev.scales.core.experiment.Studies;
import dev.scales.ui.common.ChartStyle;
import dev.scales.ui.common.ProgressRow;
import dev.scales.ui.common.Swatch;
import dev.scales.ui.lesson.LessonViewModel.Step;
import java.awt.BasicStroke;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The guided lesson: the four steps down the left, each with its explanation, a run button and its
 * measured result; the charts of the chosen step on the right (step 4: accuracy, and what
 * fine-tuning forgot).
 */
public final class LessonView extends BorderPane {
    /** The series of step 4's charts, and the one group of its forgetting chart. */
    static final String BASE = "base model";
    static final String TUNED = "fine-tuned model";
    static final String GENERAL_TEXT = "general text it never trained on";

    private final Map<Step, Node> charts = new EnumMap<>(Step.class);

    public LessonView(LessonViewModel vm) {
        setId("lesson");
        setPadding(new Insets(10));
        VBox steps = new VBox(10);
        steps.setPrefWidth(420);
        steps.setMinWidth(320);
        int n = 1;
        for (Step step : Step.values()) {
            steps.getChildren().add(card(vm, step, n++));
        }
        steps.getChildren().add(new ProgressRow(vm.progress(), "lesson", "Lesson step progress"));

        charts.put(Step.GENERAL, null);
        charts.put(Step.PRACTICE, viewer("lesson-loss", "Practice chart: training loss against steps",
                lossChart(vm)));
        charts.put(Step.IMPROVISE, viewer("lesson-shots",
                "Improvise chart: test accuracy against the number of examples in the prompt", shotsChart(vm)));
        charts.put(Step.BOTH, bothCharts(vm));
        Label general = new Label(LessonViewModel.explanation(Step.GENERAL));
        general.setWrapText(true);
        general.getStyleClass().add("muted");
        StackPane chart = new StackPane(general);
        charts.values().stream().filter(java.util.Objects::nonNull).forEach(c -> chart.getChildren().add(c));
        vm.shownProperty().addListener((o, was, now) -> show(now, general));
        show(vm.shownProperty().get(), general);
        HBox.setHgrow(chart, Priority.ALWAYS);
        // the steps keep their whole text; in large type the column scrolls
        javafx.scene.control.ScrollPane stepsScroll = new javafx.scene.control.ScrollPane(steps);
        stepsScroll.setFitToWidth(true);
        stepsScroll.setAccessibleText("The lesson's steps");
        stepsScroll.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        stepsScroll.setPrefViewportWidth(420);
        stepsScroll.setMinViewportWidth(320);
        setLeft(stepsScroll);
        setCenter(chart);
        BorderPane.setMargin(chart, new Insets(0, 0, 0, 12));
    }

    private void show(Step step, Label general) {
        general.setVisible(step == Step.GENERAL);
        charts.forEach((s, c) -> {
            if (c != null) {
                c.setVisible(s == step);
            }
        });
    }

    /**
     * A step: its title (a toggle that shows the step's charts, selected while they show), its
     * explanation, its run button and its result. The titles are in no toggle group, which would let
     * Tab reach only the selected one; the view model's shown step keeps one selected.
     */
    private static VBox card(LessonViewModel vm, Step step, int number) {
        ToggleButton title = new ToggleButton(number + ". " + switch (step) {
            case GENERAL -> "The general model";
            case PRACTICE -> "Practice: fine-tune";
            case IMPROVISE -> "Improvise: prompt with examples";
            case BOTH -> "Both — and what was forgotten";
        });
        title.getStyleClass().add("lesson-step-title");
        title.setMaxWidth(Double.MAX_VALUE);
        title.setWrapText(true);
        title.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        title.setOnAction(e -> {
            vm.show(step);
            title.setSelected(vm.shownProperty().get() == step); // a second press leaves it selected
        });
        vm.shownProperty().addListener((o, was, now) -> title.setSelected(now == step));
        title.setSelected(vm.shownProperty().get() == step);
        Label text = new Label(LessonViewModel.explanation(step));
        text.setWrapText(true);
        text.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // whole, the column scrolls instead
        Button run = new Button("Run step " + number);
        run.setId("lesson-run-" + step.name().toLowerCase(java.util.Locale.ROOT));
        run.disableProperty().bind(vm.busyProperty());
        run.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        run.setOnAction(e -> vm.run(step));
        Label result = new Label();
        result.setId("lesson-result-" + step.name().toLowerCase(java.util.Locale.ROOT));
        result.setWrapText(true);
        result.textProperty().bind(vm.resultProperty(step));
        dev.scales.ui.common.Errors.styleWhen(result, vm.stateProperty(step),
                state -> state == LessonViewModel.State.FAILED);
        HBox row = new HBox(8, run, result);
        HBox.setHgrow(result, Priority.ALWAYS);
        VBox card = new VBox(6, title, text, row);
        card.getStyleClass().add("lesson-step");
        return card;
    }

    /** A chart named {@code name} for a screen reader. */
    private static ChartViewer viewer(String id, String name, JFreeChart chart) {
        ChartViewer v = new ChartViewer(chart);
        v.setId(id);
        v.setAccessibleText(name);
        dev.scales.ui.common.ChartZoom.explicitOnly(v, null);
        return v;
    }

    private static JFreeChart lossChart(LessonViewModel vm) {
        XYSeries series = new XYSeries("training loss");
        vm.losses().addListener((ListChangeListener<double[]>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && vm.losses().isEmpty()) {
                    series.clear();
                }
                for (double[] p : c.getAddedSubList()) {
                    series.add(p[0], p[1], false);
                }
            }
            series.fireSeriesChanged();
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Practice: the loss falls as the model fine-tunes", "step",
                "training loss", new XYSeriesCollection(series), PlotOrientation.VERTICAL, true, true, false);
        ChartStyle.integerTicks((NumberAxis) chart.getXYPlot().getDomainAxis());
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(true);
        return style(chart, 2f);
    }

    private static JFreeChart shotsChart(LessonViewModel vm) {
        XYSeriesCollection data = new XYSeriesCollection();
        JFreeChart chart = ChartFactory.createXYLineChart("Improvise: accuracy against examples in the prompt",
                "examples in the prompt (k)", "test accuracy", data, PlotOrientation.VERTICAL, true, true, false);
        chart.getXYPlot().setRenderer(new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true));
        ChartStyle.integerTicks((NumberAxis) chart.getXYPlot().getDomainAxis());
        ChartStyle.unitRange(chart.getXYPlot().getRangeAxis());
        vm.shots().addListener((ListChangeListener<Studies.Point>) c -> {
            XYSeries mean = new XYSeries("mean over draws");
            for (Studies.Point p : vm.shots()) {
                mean.add(p.x(), p.mean());
            }
            data.removeAllSeries();
            data.addSeries(mean);
        });
        return style(chart, 2.5f);
    }

    /** Step 4: the accuracy of each combination above, what fine-tuning forgot below. */
    private static VBox bothCharts(LessonViewModel vm) {
        ChartViewer accuracy = viewer("lesson-both", "Both chart: test accuracy of the base and the fine-tuned "
                + "model, with no examples in the prompt and with some", bothChart(vm));
        ChartViewer forgetting = viewer("lesson-forgetting", "Forgetting chart: perplexity on general text before "
                + "and after fine-tuning", forgettingChart(vm));
        VBox.setVgrow(accuracy, Priority.ALWAYS);
        VBox.setVgrow(forgetting, Priority.ALWAYS);
        return new VBox(8, accuracy, forgetting);
    }

    /** Accuracy, base and fine-tuned model side by side, with no examples in the prompt and with k. */
    private static JFreeChart bothChart(LessonViewModel vm) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        JFreeChart chart = ChartStyle.bars("Both: accuracy of each combination", "test accuracy", data,
                NumberFormat.getPercentInstance(Locale.ROOT));
        ChartStyle.unitRange(chart.getCategoryPlot().getRangeAxis());
        vm.bothProperty().addListener((o, was, b) -> {
            data.clear();
            if (b != null) {
                String zero = "0 examples in the prompt";
                String k = Lesson.SHOTS.get(Lesson.SHOTS.size() - 1) + " examples in the prompt";
                data.addValue(b.baseZeroShot(), BASE, zero);
                data.addValue(b.tunedZeroShot(), TUNED, zero);
                data.addValue(b.baseFewShot(), BASE, k);
                data.addValue(b.tunedFewShot(), TUNED, k);
            }
        });
        return chart;
    }

    /** What practice cost: the perplexity on held-out general text the lesson measures before and after it. */
    private static JFreeChart forgettingChart(LessonViewModel vm) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        JFreeChart chart = ChartStyle.bars("What fine-tuning forgot: perplexity on unseen general text",
                "perplexity (lower is better)", data, new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(
                        Locale.ROOT)));
        vm.bothProperty().addListener((o, was, b) -> {
            data.clear();
            if (b != null) {
                data.addValue(b.perplexityBefore(), BASE, GENERAL_TEXT);
                data.addValue(b.perplexityAfter(), TUNED, GENERAL_TEXT);
            }
        });
        return chart;
    }

    /** A line chart's one series in blue, {@code width} px wide, in the app's chart style. */
    private static JFreeChart style(JFreeChart chart, float width) {
        chart.getXYPlot().getRenderer().setSeriesPaint(0, Swatch.BLUE.now());
        chart.getXYPlot().getRenderer().setSeriesStroke(0, new BasicStroke(width));
        return ChartStyle.readable(chart);
    }
}
