package dev.scales.ui.common;

import java.util.ArrayList;
import java.util.List;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartCanvas;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.MouseHandlerFX;
import org.jfree.chart.fx.interaction.ScrollHandlerFX;
import org.jfree.data.Range;

/**
 * Charts zoom only when asked, as TensorBoard's do: the mouse wheel scrolls the page it is on,
 * Ctrl (⌘ on a Mac) with the wheel zooms, dragging a rectangle zooms into it, and a double-click
 * shows everything again with the axes the chart was made with (a fixed 0–1 accuracy axis stays
 * 0–1), in line and bar charts alike. Out of the box JFreeChart zooms on every turn of the wheel,
 * so scrolling a pane past a chart zoomed it silently.
 */
public final class ChartZoom {
    /** Where a viewer keeps its chart's axes as they were before the first zoom (in its properties). */
    private static final String AS_MADE = "scales.chartZoom.asMade";

    /** A chart and its axes as made: auto-ranged (true), or their fixed range. */
    private record AsMade(JFreeChart chart, List<Object> axes) {}

    private ChartZoom() {}

    /** Makes {@code viewer} zoom on purpose only; a double-click runs {@code reset} (null: the axes as made). */
    public static void explicitOnly(ChartViewer viewer, Runnable reset) {
        ChartCanvas canvas = viewer.getCanvas();
        MouseHandlerFX handler = canvas.getMouseHandler("scroll");
        if (handler instanceof ScrollHandlerFX wheel) {
            canvas.removeAuxiliaryMouseHandler(wheel);
            canvas.addEventHandler(ScrollEvent.SCROLL, e -> {
                if (e.isShortcutDown() && viewer.getChart() != null) {
                    remember(viewer);
                    wheel.handleScroll(canvas, e);
                    e.consume();
                } // else the page scrolls
            });
        }
        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (viewer.getChart() != null) {
                remember(viewer); // a drag may zoom
            }
        });
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
                if (reset != null) {
                    reset.run();
                } else {
                    showAll(viewer);
                }
            }
        });
    }

    /** Puts the viewer's chart's axes back as they were made: every point shown, fixed ranges as they were. */
    static void showAll(ChartViewer viewer) {
        JFreeChart chart = viewer.getChart();
        if (chart == null) {
            return;
        }
        // charts compare by content, which a zoom changes: the one remembered is found by identity
        List<Object> made = viewer.getProperties().get(AS_MADE) instanceof AsMade m && m.chart() == chart ? m.axes()
                : List.of();
        List<ValueAxis> axes = ChartParts.valueAxes(chart.getPlot());
        for (int i = 0; i < axes.size(); i++) {
            if (i < made.size() && made.get(i) instanceof Range r) {
                axes.get(i).setRange(r);
            } else {
                axes.get(i).setAutoRange(true);
            }
        }
    }

    private static void remember(ChartViewer viewer) {
        JFreeChart chart = viewer.getChart();
        if (viewer.getProperties().get(AS_MADE) instanceof AsMade m && m.chart() == chart) {
            return;
        }
        List<Object> states = new ArrayList<>();
        for (ValueAxis a : ChartParts.valueAxes(chart.getPlot())) {
            states.add(a.isAutoRange() ? Boolean.TRUE : a.getRange());
        }
        viewer.getProperties().put(AS_MADE, new AsMade(chart, states));
    }
}
