package dev.scales.ui.common;

import java.awt.BasicStroke;
import javafx.scene.Node;
import javafx.scene.Parent;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;

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

    /** Series lines of 4.5 px in presentation mode, 2 px otherwise. */
    public static void thicken(JFreeChart chart, boolean on) {
        if (!(chart.getPlot() instanceof XYPlot plot)) {
            return;
        }
        for (int d = 0; d < plot.getRendererCount(); d++) {
            XYItemRenderer r = plot.getRenderer(d);
            if (r == null || plot.getDataset(d) == null) {
                continue;
            }
            for (int s = 0; s < plot.getDataset(d).getSeriesCount(); s++) {
                r.setSeriesStroke(s, new BasicStroke(on ? 4.5f : 2f));
            }
        }
        java.awt.Font title = chart.getTitle() == null ? null : chart.getTitle().getFont();
        if (title != null) {
            chart.getTitle().setFont(title.deriveFont(on ? 22f : 15f));
        }
        plot.getDomainAxis().setLabelFont(plot.getDomainAxis().getLabelFont().deriveFont(on ? 18f : 12f));
        plot.getDomainAxis().setTickLabelFont(plot.getDomainAxis().getTickLabelFont().deriveFont(on ? 15f : 10f));
        plot.getRangeAxis().setLabelFont(plot.getRangeAxis().getLabelFont().deriveFont(on ? 18f : 12f));
        plot.getRangeAxis().setTickLabelFont(plot.getRangeAxis().getTickLabelFont().deriveFont(on ? 15f : 10f));
    }
}
