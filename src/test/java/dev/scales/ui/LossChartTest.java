package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.TrainingEvent;
import dev.scales.ui.common.Presentation;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.finetune.FineTuneViewModel;
import dev.scales.ui.finetune.LossChart;
import java.awt.BasicStroke;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javafx.scene.Scene;
import javafx.scene.input.ScrollEvent;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.Range;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class LossChartTest {
    @TempDir
    Path dir;

    private final ModelManager manager = new ModelManager();
    private final FineTuneViewModel vm = new FineTuneViewModel(manager, UiThread.FX,
            () -> new dev.scales.core.train.TrainingData.Format("", new PromptTemplate("{input}={output}\n")));
    private LossChart chart;

    @AfterEach
    void closeModels() {
        manager.close();
    }

    @Start
    void start(Stage stage) {
        chart = new LossChart(vm);
        Scene scene = new Scene(chart, 760, 440);
        scene.getStylesheets().add(ScalesApp.stylesheet());
        dev.scales.ui.common.Theme.LIGHT.apply(scene.getRoot()); // the look the app starts with
        stage.setScene(scene);
        stage.show();
    }

    /**
     * A run of {@code steps} steps, delivered in batches of 8 events: the loss falls from
     * {@code start} with a little wobble, the learning rate warms up for 4 steps then decays
     * linearly, and {@code validation[i]} is measured at step 5·(i+1).
     */
    private void run(FxRobot robot, String name, int steps, double start, double... validation) {
        List<TrainingEvent> events = new ArrayList<>();
        for (int step = 1; step <= steps; step++) {
            float loss = (float) (start * Math.exp(-step / 15.0) + 0.15 * Math.sin(step * 1.7));
            float lr = step <= 4 ? 0.001f * step / 4 : 0.001f * (steps - step + 1) / (steps - 4);
            events.add(new TrainingEvent.Step(step, steps, 0, loss, lr, 1.0, 100, step * 10L, 0));
            if (step % 5 == 0 && step / 5 <= validation.length) {
                events.add(new TrainingEvent.Evaluation(step, validation[step / 5 - 1], Double.NaN));
            }
        }
        robot.interact(() -> {
            vm.beginRun(name);
            for (int i = 0; i < events.size(); i += 8) {
                vm.addEvents(events.subList(i, Math.min(events.size(), i + 8)));
            }
        });
    }

    private XYPlot plot() {
        return chart.chart().getXYPlot();
    }

    /** The index of the dataset holding the series named {@code key}. */
    private int datasetOf(String key) {
        XYPlot plot = plot();
        for (int d = 0; d < plot.getDatasetCount(); d++) {
            XYDataset data = plot.getDataset(d);
            for (int s = 0; data != null && s < data.getSeriesCount(); s++) {
                if (data.getSeriesKey(s).equals(key)) {
                    return d;
                }
            }
        }
        return -1;
    }

    private List<String> legend() {
        var items = plot().getLegendItems();
        return IntStream.range(0, items.getItemCount()).mapToObj(i -> items.get(i).getLabel()).toList();
    }

    @Test
    void theLearningRateIsDrawnOnTheRightHandAxisOnePointPerStep(FxRobot robot) {
        // when
        run(robot, "#1 LoRA r8 · lr 0.001", 40, 3.0, 2.0, 1.5);

        // then
        XYPlot plot = plot();
        int rate = datasetOf("learning rate");
        assertThat(plot.getRangeAxisIndex(plot.getRangeAxisForDataset(rate))).isEqualTo(1);
        assertThat(plot.getRangeAxisEdge(1)).isEqualTo(RectangleEdge.RIGHT);
        assertThat(plot.getDataset(rate).getItemCount(0)).isEqualTo(40).isEqualTo(vm.trainLoss().size());
        assertThat(plot.getDataset(rate).getYValue(0, 3)).isEqualTo(0.001); // the end of the warm-up, as a decimal
        assertThat(plot.getDataset(datasetOf("train (raw)")).getItemCount(0)).isEqualTo(40);
        assertThat(plot.getRenderer(datasetOf("train (raw)")))
                .isInstanceOf(org.jfree.chart.renderer.xy.SamplingXYLineRenderer.class);
        var rawLegend = plot.getRenderer(datasetOf("train (raw)")).getLegendItem(datasetOf("train (raw)"), 0);
        assertThat(((BasicStroke) rawLegend.getLineStroke()).getLineWidth()).isPositive(); // a line one can see
    }

    @Test
    void theBestMarkerSitsAtTheStepOfTheLowestValidationLoss(FxRobot robot) {
        // when: validation at steps 5, 10, 15, 20 is lowest at step 15
        run(robot, "#1 full · lr 0.01", 20, 3.0, 2.0, 1.2, 0.9, 1.1);

        // then
        assertThat(vm.bestProperty().get()).isEqualTo(new FineTuneViewModel.Best(15, 0.9));
        assertThat(plot().getDomainMarkers(Layer.FOREGROUND)).singleElement().satisfies(m -> {
            assertThat(((ValueMarker) m).getValue()).isEqualTo(15);
            assertThat(((ValueMarker) m).getLabel()).isEqualTo("best 0.900 @ step 15");
        });

        // and a new run starts without a best until its first evaluation
        run(robot, "#2 full · lr 0.01", 4, 3.0);
        assertThat(vm.bestProperty().get()).isNull();
        assertThat(plot().getDomainMarkers(Layer.FOREGROUND)).isNullOrEmpty();
    }

    @Test
    void earlierRunsAreOverlaidAndTheCheckboxHidesThem(FxRobot robot) {
        // given
        run(robot, "#1 full · lr 0.01", 30, 3.0, 2.0);

        // when
        run(robot, "#2 full · lr 0.001", 30, 2.5, 1.8);

        // then: the first run's smoothed curve is drawn, named, behind the second
        int earlier = datasetOf("#1 full · lr 0.01");
        assertThat(earlier).isNotNegative();
        assertThat(plot().getDataset(earlier).getItemCount(0)).isEqualTo(30);
        var stroke = (BasicStroke) plot().getRenderer(earlier).getItemStroke(0, 0);
        assertThat(stroke.getDashArray()).isNotNull();
        assertThat(legend()).contains("#1 full · lr 0.01", "train (smoothed)", "learning rate");
        saveSnapshot(robot, "loss-chart-after-two-runs");

        // when
        robot.clickOn("#compare-runs");

        // then
        assertThat(legend()).doesNotContain("#1 full · lr 0.01").contains("train (smoothed)");
        assertThat(datasetOf("#1 full · lr 0.01")).isNegative();

        // and only the last three earlier runs are kept
        robot.clickOn("#compare-runs");
        for (int n = 3; n <= 5; n++) {
            run(robot, "#" + n + " full · lr 0.01", 10, 2.0);
        }
        assertThat(vm.earlierRuns()).extracting(FineTuneViewModel.Curve::name)
                .containsExactly("#2 full · lr 0.001", "#3 full · lr 0.01", "#4 full · lr 0.01");
        assertThat(legend()).contains("#2 full · lr 0.001", "#4 full · lr 0.01").doesNotContain("#1 full · lr 0.01");
    }

    @Test
    void exportWritesAPngAnSvgAndACsvOfTheSteps(FxRobot robot) throws Exception {
        // given
        run(robot, "#1 full · lr 0.01", 12, 3.0, 2.0, 1.5);

        // when
        robot.interact(() -> {
            chart.export(dir.resolve("losses.png"));
            chart.export(dir.resolve("losses.svg"));
            chart.export(dir.resolve("losses.csv"));
        });
        // written in order on the file thread: the last one's report comes last
        WaitForAsyncUtils.waitFor(20, java.util.concurrent.TimeUnit.SECONDS,
                () -> vm.statusProperty().get().equals("saved the losses to losses.csv"));

        // then
        assertThat(ImageIO.read(dir.resolve("losses.png").toFile()).getWidth()).isPositive();
        assertThat(dir.resolve("losses.svg")).content().contains("<svg", "learning rate", "best 1.500 @ step 10");
        List<String> csv = Files.readAllLines(dir.resolve("losses.csv"));
        assertThat(csv).hasSize(13);
        assertThat(csv.get(0)).isEqualTo("step,train_loss,smoothed_loss,validation_loss,learning_rate");
        assertThat(csv.get(1)).startsWith("1,").contains(",,").endsWith(",2.5E-4");
        assertThat(csv.get(5).split(",")).hasSize(5).satisfies(row -> {
            assertThat(row[0]).isEqualTo("5");
            assertThat(row[3]).isEqualTo("2.0");
        });
        assertThat(vm.statusProperty().get()).isEqualTo("saved the losses to losses.csv");

        // and a failure is reported, not thrown
        Files.writeString(dir.resolve("a-file"), "not a folder");
        Path nowhere = dir.resolve("a-file").resolve("losses.png");
        robot.interact(() -> chart.export(nowhere));
        WaitForAsyncUtils.waitFor(20, java.util.concurrent.TimeUnit.SECONDS,
                () -> vm.statusProperty().get().startsWith("could not save the losses to " + nowhere));
    }

    @Test
    void theLogToggleSwapsTheLossAxisAndLeavesTheLearningRateAxis(FxRobot robot) {
        // given
        run(robot, "#1 full · lr 0.01", 20, 3.0, 2.0);
        var rateAxis = plot().getRangeAxis(1);

        // when
        robot.clickOn("#log-scale");

        // then
        assertThat(plot().getRangeAxis()).isInstanceOf(LogAxis.class);
        assertThat(plot().getRangeAxis(1)).isSameAs(rateAxis);
        var g2 = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB).createGraphics();
        List<String> labels = plot().getRangeAxis().refreshTicks(g2, new org.jfree.chart.axis.AxisState(),
                        new java.awt.geom.Rectangle2D.Double(0, 0, 600, 300), RectangleEdge.LEFT).stream()
                .map(t -> ((org.jfree.chart.axis.Tick) t).getText()).toList();
        assertThat(labels).contains("1", "2").allMatch(l -> l.matches("0\\.\\d|\\d")); // 0.8, 0.9, 1, 2: no 10^x
        saveSnapshot(robot, "loss-chart-log");

        // when
        robot.clickOn("#log-scale");

        // then
        assertThat(plot().getRangeAxis()).isExactlyInstanceOf(NumberAxis.class);
    }

    @Test
    void theWheelScrollsThePageCtrlWheelZoomsAndFitOrADoubleClickShowsEveryPointAgain(FxRobot robot) {
        // given
        run(robot, "#1 full · lr 0.01", 40, 3.0, 2.0);
        WaitForAsyncUtils.waitForFxEvents();
        ChartViewer viewer = robot.lookup("#loss-chart").queryAs(ChartViewer.class);
        Range all = plot().getDomainAxis().getRange();
        assertThat(plot().isDomainPannable()).isTrue();

        // when: the wheel turns over the middle of the plot, as when scrolling the page past it
        robot.interact(() -> wheel(viewer, false));
        // then
        assertThat(plot().getDomainAxis().getRange()).isEqualTo(all);

        // when: with Ctrl
        robot.interact(() -> wheel(viewer, true));
        // then
        assertThat(plot().getDomainAxis().getRange().getLength()).isLessThan(all.getLength());

        // when
        robot.clickOn("#fit-losses");
        // then
        assertThat(plot().getDomainAxis().getRange()).isEqualTo(all);

        // and a double-click does the same
        robot.interact(() -> wheel(viewer, true));
        robot.doubleClickOn(viewer);
        assertThat(plot().getDomainAxis().getRange()).isEqualTo(all);
    }

    /** A double-click on the middle of the chart (wherever the chart is on the screen). */
    static void doubleClick(ChartViewer viewer) {
        var c = viewer.getCanvas();
        var at = c.localToScene(c.getWidth() / 2, c.getHeight() / 2);
        c.fireEvent(new javafx.scene.input.MouseEvent(javafx.scene.input.MouseEvent.MOUSE_CLICKED, at.getX(), at.getY(),
                at.getX(), at.getY(), javafx.scene.input.MouseButton.PRIMARY, 2, false, false, false, false, true, false,
                false, true, false, true, null));
    }

    /** One notch of the wheel over the middle of the plot, with Ctrl or without. */
    static void wheel(ChartViewer viewer, boolean ctrl) {
        var area = viewer.getCanvas().getRenderingInfo().getPlotInfo().getDataArea();
        // an event's coordinates are the scene's: the event is delivered in the canvas's own
        var at = viewer.getCanvas().localToScene(area.getCenterX(), area.getCenterY());
        viewer.getCanvas().fireEvent(new ScrollEvent(ScrollEvent.SCROLL, at.getX(), at.getY(), at.getX(), at.getY(),
                false, ctrl, false, false, false, false, 0, -40, 0, -40, ScrollEvent.HorizontalTextScrollUnits.NONE, 0,
                ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null));
    }

    @Test
    void presentationModeThickensEveryLineAndKeepsTheDashes(FxRobot robot) {
        // given
        run(robot, "#1 full · lr 0.01", 20, 3.0, 2.0);
        run(robot, "#2 full · lr 0.01", 20, 2.5, 1.8);
        int earlier = datasetOf("#1 full · lr 0.01");

        // when
        robot.interact(() -> Presentation.apply(chart, true));

        // then
        XYPlot plot = plot();
        for (String series : List.of("train (raw)", "train (smoothed)", "learning rate")) {
            assertThat(((BasicStroke) plot.getRenderer(datasetOf(series)).getItemStroke(0, 0)).getLineWidth())
                    .as(series).isEqualTo(4.5f);
        }
        var dashed = (BasicStroke) plot.getRenderer(earlier).getItemStroke(0, 0);
        assertThat(dashed.getLineWidth()).isEqualTo(3f);
        assertThat(dashed.getDashArray()).isNotNull();
        assertThat(plot.getRangeAxis(1).getTickLabelFont().getSize2D()).isEqualTo(16f);
        assertThat(plot.getDomainAxis().getLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
        assertThat(chart.chart().getLegend().getItemFont().getSize2D()).isEqualTo(16f);
        assertThat(((ValueMarker) plot.getDomainMarkers(Layer.FOREGROUND).iterator().next()).getLabelFont()
                .getSize2D()).isEqualTo(15f);
        saveSnapshot(robot, "loss-chart-presentation");

        // and a run compared later is thick too
        run(robot, "#3 full · lr 0.01", 20, 2.0);
        int newest = datasetOf("#2 full · lr 0.01");
        assertThat(((BasicStroke) plot.getRenderer(newest).getItemStroke(1, 0)).getLineWidth()).isEqualTo(3f);

        // when
        robot.interact(() -> Presentation.apply(chart, false));

        // then
        assertThat(((BasicStroke) plot.getRenderer(datasetOf("train (smoothed)")).getItemStroke(0, 0)).getLineWidth())
                .isEqualTo(2f);
        var thin = (BasicStroke) plot.getRenderer(newest).getItemStroke(1, 0);
        assertThat(thin.getLineWidth()).isEqualTo(1.2f);
        assertThat(thin.getDashArray()).isNotNull();
    }

    @Test
    void everyAxisShowsAtMostTenTicksTheStepsWholeHoweverLargeTheChart(FxRobot robot) {
        // when
        run(robot, "#1 full · lr 0.01", 300, 3.0, 2.0, 1.5, 1.2);

        // then: on a tall screen and on a wide one
        XYPlot plot = plot();
        for (ValueAxis axis : List.of(plot.getDomainAxis(), plot.getRangeAxis(0), plot.getRangeAxis(1))) {
            assertThat(ticks(robot, axis, 760, 1400)).as(axis.getLabel()).hasSizeBetween(2, 10);
            assertThat(ticks(robot, axis, 1800, 480)).as(axis.getLabel()).hasSizeBetween(2, 10);
        }
        assertThat(ticks(robot, plot.getDomainAxis(), 1800, 480)).allMatch(l -> l.matches("[0-9,]+"), "whole steps");

        // and on the log scale too
        robot.clickOn("#log-scale");
        assertThat(ticks(robot, plot().getRangeAxis(), 760, 1400)).hasSizeBetween(2, 10);
        robot.interact(() -> ChartChecks.save(chart.chart(), "loss-chart-tall-log", 760, 1400));
    }

    @Test
    void inPresentationModeTheChartKeepsRoomForItsCurves(FxRobot robot) {
        ChartViewer viewer = robot.lookup("#loss-chart").queryAs(ChartViewer.class);
        double usual = viewer.getMinHeight();

        // when
        robot.interact(() -> {
            Presentation.apply(chart, true);
            chart.applyCss();
        });

        // then
        assertThat(viewer.getMinHeight()).isGreaterThanOrEqualTo(260);

        // when
        robot.interact(() -> {
            Presentation.apply(chart, false);
            chart.applyCss();
        });

        // then
        assertThat(viewer.getMinHeight()).isEqualTo(usual).isGreaterThanOrEqualTo(150);
    }

    /** The labels of an axis's ticks with the chart drawn {@code width} × {@code height}, on the FX thread that owns it. */
    private List<String> ticks(FxRobot robot, ValueAxis axis, int width, int height) {
        List<String> labels = new ArrayList<>();
        robot.interact(() -> labels.addAll(ChartChecks.ticks(chart.chart(), axis, width, height)));
        return labels;
    }

    private void saveSnapshot(FxRobot robot, String name) {
        robot.interact(() -> {
            try {
                Snapshots.save(chart, name);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
