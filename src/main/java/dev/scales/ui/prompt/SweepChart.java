package dev.scales.ui.prompt;

import dev.scales.core.eval.ShotSweep;
import java.awt.BasicStroke;
import java.awt.Color;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** Accuracy against the number of shots: the mean over seeds as a line, ± one standard deviation as a band. */
final class SweepChart extends ChartViewer {
    private final YIntervalSeries series = new YIntervalSeries("gold labels");

    SweepChart(ObservableList<ShotSweep.Point> points) {
        super(chart(new YIntervalSeriesCollection()));
        setId("sweep-chart");
        ((YIntervalSeriesCollection) getChart().getXYPlot().getDataset()).addSeries(series);
        setMinHeight(170);
        setPrefHeight(190);
        // Shown once a sweep has drawn its first point.
        visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(points));
        managedProperty().bind(visibleProperty());
        points.addListener((ListChangeListener<ShotSweep.Point>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && points.isEmpty()) {
                    series.clear();
                }
                for (ShotSweep.Point p : c.getAddedSubList()) {
                    series.add(p.k(), p.mean(), p.mean() - p.std(), p.mean() + p.std());
                }
            }
        });
    }

    private static JFreeChart chart(YIntervalSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(null, "demonstrations (k)", "accuracy", data,
                PlotOrientation.VERTICAL, false, true, false);
        XYPlot plot = chart.getXYPlot();
        DeviationRenderer r = new DeviationRenderer(true, true);
        r.setSeriesPaint(0, new Color(0x2f, 0x6f, 0xb3));
        r.setSeriesFillPaint(0, new Color(0x2f, 0x6f, 0xb3));
        r.setAlpha(0.2f);
        r.setSeriesStroke(0, new BasicStroke(2f));
        plot.setRenderer(r);
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 1);
        plot.getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setNoDataMessage("Sweep shots: accuracy for k = 0, 1, 2, 4… demonstrations appears here.");
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
