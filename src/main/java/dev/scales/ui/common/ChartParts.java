package dev.scales.ui.common;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javafx.scene.Node;
import javafx.scene.Parent;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.AbstractRenderer;
import org.jfree.chart.ui.Layer;

/**
 * The parts of the charts a style walks (presentation mode's sizes, a theme's colours): the charts
 * shown under a node, and a plot's renderers, axes and markers, XY and category plots alike.
 */
final class ChartParts {
    private ChartParts() {}

    /** A renderer and how many series its dataset holds now. */
    record Series(AbstractRenderer renderer, int count) {}

    /**
     * The charts of the {@link ChartViewer}s under {@code root}, shown or not: also in the content of
     * scroll panes, tabs and split panes that have not been drawn yet (their content joins the scene
     * graph only with their skin, at the first layout).
     */
    static List<JFreeChart> chartsUnder(Parent root) {
        List<JFreeChart> charts = new ArrayList<>();
        collect(root, charts, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return charts;
    }

    private static void collect(Node node, List<JFreeChart> charts, java.util.Set<Node> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof ChartViewer viewer && viewer.getChart() != null) {
            charts.add(viewer.getChart());
        }
        if (node instanceof javafx.scene.control.ScrollPane scroll) {
            collect(scroll.getContent(), charts, seen);
        } else if (node instanceof javafx.scene.control.TabPane tabs) {
            tabs.getTabs().forEach(tab -> collect(tab.getContent(), charts, seen));
        } else if (node instanceof javafx.scene.control.SplitPane split) {
            split.getItems().forEach(item -> collect(item, charts, seen));
        }
        if (node instanceof Parent parent) {
            parent.getChildrenUnmodifiable().forEach(child -> collect(child, charts, seen));
        }
    }

    static List<Series> series(Plot plot) {
        List<Series> all = new ArrayList<>();
        if (plot instanceof XYPlot xy) {
            for (int d = 0; d < xy.getRendererCount(); d++) {
                if (xy.getRenderer(d) instanceof AbstractRenderer r) {
                    all.add(new Series(r, xy.getDataset(d) == null ? 0 : xy.getDataset(d).getSeriesCount()));
                }
            }
        } else if (plot instanceof CategoryPlot c) {
            for (int d = 0; d < c.getRendererCount(); d++) {
                if (c.getRenderer(d) instanceof AbstractRenderer r) {
                    all.add(new Series(r, c.getDataset(d) == null ? 0 : c.getDataset(d).getRowCount()));
                }
            }
        }
        return all;
    }

    /** The value axes a plot draws (an XY plot's both ways, a category plot's values). */
    static List<ValueAxis> valueAxes(Plot plot) {
        List<ValueAxis> axes = new ArrayList<>();
        if (plot instanceof XYPlot xy) {
            for (int i = 0; i < xy.getDomainAxisCount(); i++) {
                axes.add(xy.getDomainAxis(i));
            }
            for (int i = 0; i < xy.getRangeAxisCount(); i++) {
                axes.add(xy.getRangeAxis(i));
            }
        } else if (plot instanceof CategoryPlot c) {
            for (int i = 0; i < c.getRangeAxisCount(); i++) {
                axes.add(c.getRangeAxis(i));
            }
        }
        axes.removeIf(Objects::isNull);
        return axes;
    }

    /** Every axis a plot draws: its value axes and a category plot's categories. */
    static List<Axis> axes(Plot plot) {
        List<Axis> axes = new ArrayList<>(valueAxes(plot));
        if (plot instanceof CategoryPlot c) {
            for (int i = 0; i < c.getDomainAxisCount(); i++) {
                axes.add(c.getDomainAxis(i));
            }
        }
        axes.removeIf(Objects::isNull);
        return axes;
    }

    /** The foreground markers: an XY plot's on its domain (a step), a category plot's on its values. */
    static List<Marker> markers(Plot plot) {
        Collection<?> found = plot instanceof XYPlot xy ? xy.getDomainMarkers(Layer.FOREGROUND)
                : plot instanceof CategoryPlot c ? c.getRangeMarkers(Layer.FOREGROUND) : null;
        List<Marker> markers = new ArrayList<>();
        if (found != null) {
            found.forEach(m -> markers.add((Marker) m));
        }
        return markers;
    }
}
