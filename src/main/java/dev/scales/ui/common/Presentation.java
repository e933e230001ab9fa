package dev.scales.ui.common;

import java.awt.BasicStroke;
import java.awt.Stroke;
import java.util.Collection;
import javafx.scene.Node;
import javafx.scene.Parent;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.ui.Layer;

/**
 * Presentation mode, readable on a projector: the {@code presentation} style class on the window's
 * root (larger fonts, high contrast; see scales.css) and thicker lines in every chart under it.
 */
public final class Presentation {
    public static final String STYLE_CLASS = "presentation";

    private Presentation() {}

    public static void apply(Parent root, boolean on) {
        root.getStyleClass().remove(STYLE_CLASS);
        if (on) {
            root.getStyleClass().add(STYLE_CLASS);
        }
        for (Node n : root.lookupAll("*")) {
            if (n instanceof ChartViewer viewer && viewer.getChart() != null) {
                thicken(viewer.getChart(), on);
            }
        }
    }

    /**
     * Series lines of 4.5 px in presentation mode, 2 px otherwise; dashed lines (secondary curves)
     * keep their dashes at 3 px and 1.2 px. Axis, legend and marker labels grow with them.
     */
    public static void thicken(JFreeChart chart, boolean on) {
        if (!(chart.getPlot() instanceof XYPlot plot)) {
            return;
        }
        for (int d = 0; d < plot.getRendererCount(); d++) {
            XYItemRenderer r = plot.getRenderer(d);
            if (r == null) {
                continue;
            }
            for (int s = 0; plot.getDataset(d) != null && s < plot.getDataset(d).getSeriesCount(); s++) {
                Stroke own = r.getSeriesStroke(s);
                r.setSeriesStroke(s, thick(own != null ? own : r.getDefaultStroke(), on), false);
            }
            r.setDefaultStroke(thick(r.getDefaultStroke(), on), false); // for series that come later
        }
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(chart.getLegend().getItemFont().deriveFont(on ? 15f : 12f));
        }
        java.awt.Font title = chart.getTitle() == null ? null : chart.getTitle().getFont();
        if (title != null) {
            chart.getTitle().setFont(title.deriveFont(on ? 22f : 15f));
        }
        for (int i = 0; i < plot.getDomainAxisCount(); i++) {
            enlarge(plot.getDomainAxis(i), on);
        }
        for (int i = 0; i < plot.getRangeAxisCount(); i++) {
            enlarge(plot.getRangeAxis(i), on);
        }
        Collection<?> markers = plot.getDomainMarkers(Layer.FOREGROUND);
        if (markers != null) {
            for (Object m : markers) {
                Marker marker = (Marker) m;
                marker.setLabelFont(marker.getLabelFont().deriveFont(on ? 15f : 11f));
            }
        }
        chart.fireChartChanged();
    }

    private static Stroke thick(Stroke stroke, boolean on) {
        float[] dash = stroke instanceof BasicStroke b ? b.getDashArray() : null;
        if (dash == null) {
            return new BasicStroke(on ? 4.5f : 2f);
        }
        BasicStroke b = (BasicStroke) stroke;
        float width = on ? 3f : 1.2f;
        float[] scaled = dash.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= width / Math.max(0.1f, b.getLineWidth());
        }
        return new BasicStroke(width, b.getEndCap(), b.getLineJoin(), b.getMiterLimit(), scaled, b.getDashPhase());
    }

    private static void enlarge(ValueAxis axis, boolean on) {
        if (axis != null) {
            axis.setLabelFont(axis.getLabelFont().deriveFont(on ? 18f : 12f));
            axis.setTickLabelFont(axis.getTickLabelFont().deriveFont(on ? 15f : 10f));
        }
    }
}
