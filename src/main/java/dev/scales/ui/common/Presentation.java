package dev.scales.ui.common;

import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.Stroke;
import javafx.scene.Parent;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;

/**
 * Presentation mode, readable on a projector: the {@code presentation} style class on the window's
 * root (larger fonts, high contrast; see scales.css) and thicker lines, outlined bars and larger
 * type in every chart under it, line charts and bar charts alike.
 */
public final class Presentation {
    public static final String STYLE_CLASS = "presentation";

    /** Type sizes in points, on and off: axis labels and ticks of 16 and more read from the back of a room. */
    static final float AXIS_LABEL_ON = 18f;
    static final float TICK_ON = 16f;
    static final float LEGEND_ON = 16f;
    static final float ITEM_LABEL_ON = 16f;

    private Presentation() {}

    public static void apply(Parent root, boolean on) {
        root.getStyleClass().remove(STYLE_CLASS);
        if (on) {
            root.getStyleClass().add(STYLE_CLASS);
        }
        Zoom.apply(root); // the zoom is a factor of the base type, which this changes
        ChartParts.chartsUnder(root).forEach(chart -> thicken(chart, on));
    }

    /**
     * Series lines of 4.5 px in presentation mode, 2 px otherwise; dashed lines (secondary curves)
     * keep their dashes at 3 px and 1.2 px; bars get a 2 px outline (in the theme's text colour,
     * {@link ChartTheme}). Axis, legend, marker and value labels grow with them.
     */
    public static void thicken(JFreeChart chart, boolean on) {
        Plot plot = chart.getPlot();
        if (!(plot instanceof XYPlot) && !(plot instanceof CategoryPlot)) {
            return;
        }
        for (ChartParts.Series s : ChartParts.series(plot)) {
            if (s.renderer() instanceof BarRenderer bars) {
                bars.setDrawBarOutline(on);
                bars.setDefaultOutlineStroke(new BasicStroke(2f), false);
                bars.setDefaultItemLabelFont(bars.getDefaultItemLabelFont().deriveFont(on ? ITEM_LABEL_ON : 11f), false);
                continue;
            }
            for (int i = 0; i < s.count(); i++) {
                Stroke own = s.renderer().getSeriesStroke(i);
                s.renderer().setSeriesStroke(i, thick(own != null ? own : s.renderer().getDefaultStroke(), on), false);
            }
            s.renderer().setDefaultStroke(thick(s.renderer().getDefaultStroke(), on), false); // for series that come later
        }
        if (chart.getLegend() != null) {
            chart.getLegend().setItemFont(chart.getLegend().getItemFont().deriveFont(on ? LEGEND_ON : 12f));
        }
        Font title = chart.getTitle() == null ? null : chart.getTitle().getFont();
        if (title != null) {
            chart.getTitle().setFont(title.deriveFont(on ? 22f : 15f));
        }
        ChartParts.axes(plot).forEach(a -> enlarge(a, on));
        for (Marker marker : ChartParts.markers(plot)) {
            marker.setLabelFont(marker.getLabelFont().deriveFont(on ? 15f : 11f));
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

    private static void enlarge(Axis axis, boolean on) {
        axis.setLabelFont(axis.getLabelFont().deriveFont(on ? AXIS_LABEL_ON : 12f));
        axis.setTickLabelFont(axis.getTickLabelFont().deriveFont(on ? TICK_ON : 10f));
    }
}
