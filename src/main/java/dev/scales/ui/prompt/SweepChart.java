package dev.scales.ui.prompt;

import dev.scales.core.eval.ShotSweep;
import dev.scales.core.experiment.Charts;
import dev.scales.ui.common.ChartStyle;
import dev.scales.ui.common.ProgressRow;
import dev.scales.ui.common.Swatch;
import java.awt.BasicStroke;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Accuracy against the number of shots, one series per variant (gold labels, random labels,
 * calibrated): the mean over seeds as a line, ± one standard deviation as a band, drawn live as
 * points arrive. Above it, which series the next sweep measures, and an export of the chart (PNG,
 * SVG) or its points (CSV).
 */
public final class SweepChart extends VBox {
    private final Map<ShotSweep.Variant, YIntervalSeries> series = new EnumMap<>(ShotSweep.Variant.class);
    private final ChartViewer viewer;
    private final PromptViewModel vm;

    SweepChart(PromptViewModel vm) {
        super(4);
        this.vm = vm;
        setId("sweep-panel");
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (ShotSweep.Variant v : ShotSweep.Variant.values()) {
            YIntervalSeries s = new YIntervalSeries(v.label);
            series.put(v, s);
            data.addSeries(s);
        }
        viewer = new ChartViewer(chart(data));
        viewer.setId("sweep-chart");
        viewer.setAccessibleText("Shot sweep chart: accuracy against the number of examples in the prompt");
        dev.scales.ui.common.ChartZoom.explicitOnly(viewer, null);
        ObservableList<ShotSweep.Point> points = vm.sweepPoints();
        points.addListener((ListChangeListener<ShotSweep.Point>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && points.isEmpty()) {
                    series.values().forEach(YIntervalSeries::clear);
                }
                for (ShotSweep.Point p : c.getAddedSubList()) {
                    series.get(p.variant()).add(p.k(), p.mean(), p.mean() - p.std(), p.mean() + p.std());
                }
            }
        });

        // wraps rather than shortening its labels when the pane is narrow or the type large
        javafx.scene.layout.FlowPane choices = new javafx.scene.layout.FlowPane(10, 6, new Label("Series:"));
        choices.setAlignment(Pos.CENTER_LEFT);
        for (ShotSweep.Variant v : ShotSweep.Variant.values()) {
            CheckBox box = new CheckBox(v.label);
            box.setId("sweep-" + v.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            box.setSelected(vm.sweepVariants().contains(v));
            box.selectedProperty().addListener((o, was, on) -> {
                if (on) {
                    vm.sweepVariants().add(v);
                } else {
                    vm.sweepVariants().remove(v);
                }
            });
            box.setTooltip(new Tooltip(switch (v) {
                case GOLD -> "The demonstrations as written";
                case RANDOM_LABELS -> "Each demonstration's label replaced at random (Min et al. 2022)";
                case CALIBRATED -> "Label probabilities rebalanced by a content-free input (Zhao et al. 2021)";
            }));
            choices.getChildren().add(box);
        }
        Button export = new Button("Export…");
        export.setId("export-sweep");
        export.setTooltip(new Tooltip("Save the chart as PNG or SVG, or its points as CSV"));
        export.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(points));
        export.setOnAction(e -> dev.scales.ui.common.ExportChooser.show(this, "Export the sweep", "sweep.png",
                this::export));
        Label weights = new Label();
        weights.setId("sweep-weights");
        weights.getStyleClass().add("muted");
        weights.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() ->
                vm.sweepWeightsProperty().get().isEmpty() ? "" : "on " + vm.sweepWeightsProperty().get(),
                vm.sweepWeightsProperty()));
        choices.getChildren().addAll(weights, export,
                new ProgressRow(vm.sweepExportProgress(), "sweep-export", "Sweep export progress"));
        choices.getChildren().forEach(n -> ((Region) n).setMinWidth(Region.USE_PREF_SIZE));
        getChildren().addAll(choices, viewer);
    }

    /** Writes the chart (.png, .svg) or the points (.csv) to {@code file}. */
    public void export(Path file) {
        vm.exportSweep(file, f -> Charts.drawn(viewer.getChart(), f)::write);
    }

    public JFreeChart chart() {
        return viewer.getChart();
    }

    private static JFreeChart chart(YIntervalSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(null, "demonstrations (k)", "accuracy", data,
                PlotOrientation.VERTICAL, true, true, false);
        XYPlot plot = chart.getXYPlot();
        DeviationRenderer r = new DeviationRenderer(true, true);
        for (int i = 0; i < ShotSweep.Variant.values().length; i++) {
            r.setSeriesPaint(i, Swatch.SERIES.get(i).now());
            r.setSeriesFillPaint(i, Swatch.SERIES.get(i).now());
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        r.setAlpha(0.15f);
        plot.setRenderer(r);
        ChartStyle.unitRange(plot.getRangeAxis());
        ChartStyle.integerTicks((NumberAxis) plot.getDomainAxis());
        plot.setNoDataMessage("Sweep shots: accuracy for k = 0, 1, 2, 4… demonstrations appears here.");
        return ChartStyle.readable(chart);
    }
}
