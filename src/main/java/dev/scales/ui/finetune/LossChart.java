package dev.scales.ui.finetune;

import dev.scales.core.experiment.Charts;
import dev.scales.ui.common.ChartStyle;
import dev.scales.ui.common.ChartTheme;
import dev.scales.ui.common.Swatch;
import dev.scales.ui.common.Theme;
import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The live loss chart of a fine-tuning run: raw training loss, its smoothed curve, validation loss
 * as points, the learning rate on a right-hand axis, a line at the best
 * checkpoint and the earlier runs' smoothed curves as grey dashed lines. Above it: a linear or log
 * loss axis, earlier runs shown or hidden, fit after zooming (the wheel zooms, Alt-drag pans) and an
 * export of the chart (PNG, SVG) or its points (CSV). Per-step curves are drawn sampled, one stroke
 * per pixel column, and redrawn once per batch of training events.
 */
public final class LossChart extends VBox {
    /** Dataset indexes; the plot draws higher indexes first, so the current run's loss lies on top. */
    private static final int VALIDATION = 0;
    private static final int TRAIN = 1;
    private static final int RATE = 2;
    private static final int EARLIER = 3;

    private final FineTuneViewModel vm;
    private final ChartViewer viewer;
    private final XYPlot plot;
    private final XYSeriesCollection earlier = new XYSeriesCollection();
    private final SampledLines earlierRenderer = new SampledLines();
    private final ValueMarker bestLine = new ValueMarker(0, Swatch.VERMILLION.now(), new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
            BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));

    public LossChart(FineTuneViewModel vm) {
        super(4);
        this.vm = vm;
        setId("loss-panel");
        XYSeries raw = new XYSeries("train (raw)", false, true);
        XYSeries smoothed = new XYSeries("train (smoothed)", false, true);
        XYSeries validation = new XYSeries("validation", false, true);
        XYSeries rate = new XYSeries("learning rate", false, true);
        XYSeriesCollection train = new XYSeriesCollection(smoothed);
        train.addSeries(raw); // the last series is drawn first: raw behind smoothed
        JFreeChart chart = build(new XYSeriesCollection(validation), train, new XYSeriesCollection(rate));
        plot = chart.getXYPlot();
        viewer = new ChartViewer(chart);
        viewer.setId("loss-chart");
        viewer.setAccessibleText("Loss chart: training and validation loss, and the learning rate, against steps");
        dev.scales.ui.common.ChartZoom.explicitOnly(viewer, this::fit);
        VBox.setVgrow(viewer, Priority.ALWAYS);

        follow(vm.trainLoss(), raw);
        follow(vm.smoothedLoss(), smoothed);
        follow(vm.validationLoss(), validation);
        follow(vm.learningRates(), rate);
        vm.earlierRuns().addListener((ListChangeListener<FineTuneViewModel.Curve>) c -> showEarlierRuns());
        vm.bestProperty().addListener((obs, was, best) -> showBest(best));
        vm.trainLoss().addListener((ListChangeListener<double[]>) c -> placeBestLabel());
        plot.getDomainAxis().addChangeListener(e -> placeBestLabel());

        CheckBox log = new CheckBox("log scale");
        log.setId("log-scale");
        log.setTooltip(new Tooltip("Loss on a logarithmic axis: late, small improvements stay visible"));
        log.selectedProperty().addListener((obs, was, on) -> setLogScale(on));
        CheckBox compare = new CheckBox("compare with earlier runs");
        compare.setId("compare-runs");
        compare.setSelected(true);
        compare.setTooltip(new Tooltip("The last " + FineTuneViewModel.EARLIER_RUNS
                + " runs' smoothed training loss as grey dashed lines"));
        compare.disableProperty().bind(Bindings.isEmpty(vm.earlierRuns()));
        compare.selectedProperty().addListener((obs, was, on) -> plot.setDataset(EARLIER, on ? earlier : null));
        Button fit = new Button("Fit");
        fit.setId("fit-losses");
        fit.setTooltip(new Tooltip("Show every point again after zooming (Ctrl + wheel or a dragged rectangle zooms, Alt-drag pans; "
                + "a double-click also shows everything)"));
        fit.setOnAction(e -> fit());
        Button export = new Button("Export…");
        export.setId("export-losses");
        export.setTooltip(new Tooltip("Save the chart as PNG or SVG, or the run's steps as CSV"));
        export.disableProperty().bind(Bindings.isEmpty(vm.trainLoss()));
        export.setOnAction(e -> dev.scales.ui.common.ExportChooser.show(this, "Export the loss chart", "losses.png",
                this::export));
        // the buttons keep their size and the row wraps when the pane is narrow or the type large, never "…"
        for (javafx.scene.control.Control c : List.of(log, compare, fit, export)) {
            c.setMinWidth(Region.USE_PREF_SIZE);
        }
        javafx.scene.layout.FlowPane controls = new javafx.scene.layout.FlowPane(10, 6, log, compare, fit, export,
                new dev.scales.ui.common.ProgressRow(vm.exportProgress(), "losses-export", "Loss export progress"));
        controls.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(controls, viewer);
    }

    /** Writes the chart (.png, .svg) or the run's steps (.csv) to {@code file}; the outcome goes to the status. */
    public void export(Path file) {
        vm.exportLosses(file, f -> Charts.drawn(viewer.getChart(), f)::write);
    }

    public JFreeChart chart() {
        return viewer.getChart();
    }

    /**
     * Holds the chart's redraws until the next pulse: the changes a batch of events makes (every
     * series, the best line) are drawn once, not once per series.
     */
    private void holdRedraw() {
        JFreeChart chart = viewer.getChart();
        if (chart.isNotify()) {
            chart.setNotify(false);
            Platform.runLater(() -> chart.setNotify(true)); // fires one change: one redraw
        }
    }

    /**
     * Points drawn per curve, at most about (two per pixel column of a wide chart): a redraw walks
     * every point of a series, so it grew with the run (docs/BENCHMARKS.md, LossChartBench). Beyond it, each bucket of consecutive steps is drawn as its lowest and
     * highest point, in step order — the envelope a pixel column shows anyway. The view model keeps
     * every point; the CSV export reads those.
     */
    static final int MAX_DRAWN = 2000;

    /** Mirrors a list of (x, y) points into a chart series, one repaint per batch. */
    private void follow(ObservableList<double[]> points, XYSeries series) {
        Mirror mirror = new Mirror(points, series);
        points.addListener((ListChangeListener<double[]>) c -> {
            holdRedraw();
            mirror.update();
        });
    }

    /** How many consecutive points one drawn bucket holds for a curve of {@code n} points. */
    static int bucketFor(int n) {
        if (n <= MAX_DRAWN) {
            return 1;
        }
        int b = 4; // a bucket of 2 draws both its points: no saving
        while (2L * n / b > MAX_DRAWN) {
            b *= 2;
        }
        return b;
    }

    /**
     * A growing list of points drawn as a series of at most about {@link #MAX_DRAWN} points:
     * complete buckets as their extremes, the last incomplete bucket point by point (redrawn as
     * points arrive), everything again when the bucket size doubles.
     */
    static final class Mirror {
        private final List<double[]> points;
        private final XYSeries series;
        private int bucket = 1;
        private int done;
        private int tail;

        Mirror(List<double[]> points, XYSeries series) {
            this.points = points;
            this.series = series;
        }

        void update() {
            int n = points.size();
            series.setNotify(false);
            if (n < done || bucketFor(n) != bucket) { // cleared, or the buckets double
                series.clear();
                bucket = bucketFor(n);
                done = 0;
                tail = 0;
            }
            if (tail > 0) {
                series.delete(series.getItemCount() - tail, series.getItemCount() - 1);
                tail = 0;
            }
            for (; done + bucket <= n; done += bucket) {
                addExtremes(done, done + bucket);
            }
            for (int i = done; i < n; i++, tail++) {
                series.add(points.get(i)[0], points.get(i)[1], false);
            }
            series.setNotify(true);
        }

        private void addExtremes(int from, int to) {
            int lo = from;
            int hi = from;
            for (int i = from + 1; i < to; i++) {
                if (points.get(i)[1] < points.get(lo)[1]) {
                    lo = i;
                }
                if (points.get(i)[1] > points.get(hi)[1]) {
                    hi = i;
                }
            }
            series.add(points.get(Math.min(lo, hi))[0], points.get(Math.min(lo, hi))[1], false);
            if (lo != hi) {
                series.add(points.get(Math.max(lo, hi))[0], points.get(Math.max(lo, hi))[1], false);
            }
        }
    }

    private void showEarlierRuns() {
        holdRedraw();
        earlier.removeAllSeries();
        List<FineTuneViewModel.Curve> runs = vm.earlierRuns();
        for (int i = 0; i < runs.size(); i++) {
            XYSeries s = new XYSeries(runs.get(i).name(), false, true);
            new Mirror(runs.get(i).points(), s).update();
            earlierRenderer.setSeriesPaint(i, Swatch.EARLIER.get(Math.min(Swatch.EARLIER.size() - 1, runs.size() - 1 - i))
                    .now(), false);
            earlier.addSeries(s);
        }
    }

    private void showBest(FineTuneViewModel.Best best) {
        holdRedraw();
        plot.removeDomainMarker(bestLine);
        if (best != null) {
            bestLine.setValue(best.step());
            bestLine.setLabel(String.format(Locale.ROOT, "best %.3f @ step %d", best.validationLoss(), best.step()));
            placeBestLabel();
            ChartTheme.paint(bestLine, Theme.current());
            plot.addDomainMarker(bestLine);
        }
    }

    /** The best line's label goes on the side of the line with more room, so it is never cut at the plot's edge. */
    private void placeBestLabel() {
        boolean left = bestLine.getValue() > plot.getDomainAxis().getRange().getCentralValue();
        RectangleAnchor anchor = left ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT;
        if (bestLine.getLabelAnchor() != anchor) {
            bestLine.setLabelAnchor(anchor);
            bestLine.setLabelTextAnchor(left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
        }
    }

    private void setLogScale(boolean on) {
        ValueAxis old = plot.getRangeAxis();
        ValueAxis axis = LossChartAxes.loss(on);
        axis.setLabelFont(old.getLabelFont()); // presentation mode's sizes stay
        axis.setTickLabelFont(old.getTickLabelFont());
        plot.setRangeAxis(axis);
        ChartTheme.paint(viewer.getChart(), Theme.current()); // the new axis in the theme's colours
    }

    private void fit() {
        plot.getDomainAxis().setAutoRange(true);
        for (int i = 0; i < plot.getRangeAxisCount(); i++) {
            plot.getRangeAxis(i).setAutoRange(true);
        }
    }

    private JFreeChart build(XYSeriesCollection validation, XYSeriesCollection train, XYSeriesCollection rate) {
        NumberAxis steps = new NumberAxis("step");
        ChartStyle.integerTicks(steps);
        steps.setAutoRangeIncludesZero(false);

        XYLineAndShapeRenderer points = new XYLineAndShapeRenderer(true, true); // few: one per evaluation
        points.setSeriesPaint(0, Swatch.VERMILLION.now());
        points.setSeriesShape(0, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        XYPlot xy = new XYPlot(null, steps, LossChartAxes.loss(false), null);
        xy.setDataset(VALIDATION, validation);
        xy.setRenderer(VALIDATION, points);

        SampledLines trainLines = new SampledLines();
        trainLines.setSeriesPaint(0, Swatch.BLUE.now());
        trainLines.setSeriesStroke(0, new BasicStroke(2.2f));
        trainLines.setSeriesPaint(1, Swatch.FAINT_BLUE.now());
        trainLines.setSeriesStroke(1, new BasicStroke(1.5f));
        xy.setDataset(TRAIN, train);
        xy.setRenderer(TRAIN, trainLines);

        NumberAxis rateAxis = new NumberAxis("learning rate");
        rateAxis.setLabelPaint(Swatch.GREEN.now());
        rateAxis.setTickLabelPaint(Swatch.GREEN.now());
        rateAxis.setStandardTickUnits(LossChartAxes.rateTicks());
        ChartStyle.atMostTenTicks(rateAxis);
        rateAxis.setTickLabelInsets(new RectangleInsets(6, 4, 6, 4)); // room between labels: about 6 of them
        SampledLines rateLine = new SampledLines();
        rateLine.setSeriesPaint(0, Swatch.GREEN.now());
        rateLine.setSeriesStroke(0, new BasicStroke(1.5f));
        xy.setRangeAxis(1, rateAxis);
        xy.setDataset(RATE, rate);
        xy.setRenderer(RATE, rateLine);
        xy.mapDatasetToRangeAxis(RATE, 1);

        // Earlier runs: one dashed stroke for all, so runs added later (and presentation mode) share it.
        earlierRenderer.setAutoPopulateSeriesStroke(false);
        earlierRenderer.setDefaultStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                new float[] {5f, 4f}, 0f));
        xy.setDataset(EARLIER, earlier);
        xy.setRenderer(EARLIER, earlierRenderer);

        bestLine.setLabelFont(new Font("SansSerif", Font.PLAIN, 11));
        bestLine.setLabelOffset(new RectangleInsets(4, 4, 4, 4));

        xy.setDomainPannable(true);
        xy.setRangePannable(true);
        xy.setNoDataMessage("Start a run: training and validation loss appear here as it learns.");
        xy.setNoDataMessageFont(new Font("SansSerif", Font.PLAIN, 13));
        return ChartStyle.readable(new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, xy, true));
    }
}
