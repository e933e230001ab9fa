package dev.scales.ui;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.AttributedCharacterIterator;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;

/** What a reader sees of a JFreeChart: its axes' tick labels as drawn at a size, its legend, its series. */
public final class ChartChecks {
    private ChartChecks() {}

    /** The labels of {@code axis}'s major ticks when {@code chart} is drawn {@code width} × {@code height}. */
    public static List<String> ticks(JFreeChart chart, ValueAxis axis, int width, int height) {
        Graphics2D g2 = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB).createGraphics();
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.draw(g2, new Rectangle2D.Double(0, 0, width, height), info);
        List<String> labels = new ArrayList<>();
        for (Object t : axis.refreshTicks(g2, new AxisState(), info.getPlotInfo().getDataArea(), edge(chart, axis))) {
            ValueTick tick = (ValueTick) t;
            if (tick.getTickType() == TickType.MAJOR) {
                labels.add(tick instanceof LogTick log ? text(log.getAttributedLabel().getIterator()) : tick.getText());
            }
        }
        g2.dispose();
        return labels;
    }

    private static RectangleEdge edge(JFreeChart chart, ValueAxis axis) {
        if (chart.getPlot() instanceof XYPlot xy) {
            int domain = xy.getDomainAxisIndex(axis);
            return domain >= 0 ? xy.getDomainAxisEdge(domain) : xy.getRangeAxisEdge(xy.getRangeAxisIndex(axis));
        }
        CategoryPlot c = (CategoryPlot) chart.getPlot();
        return c.getRangeAxisEdge(c.getRangeAxisIndex(axis));
    }

    private static String text(AttributedCharacterIterator it) {
        StringBuilder s = new StringBuilder();
        for (char ch = it.first(); ch != AttributedCharacterIterator.DONE; ch = it.next()) {
            s.append(ch);
        }
        return s.toString();
    }

    /** The legend's entries, in order. */
    public static List<String> legend(JFreeChart chart) {
        var items = chart.getPlot().getLegendItems();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < items.getItemCount(); i++) {
            labels.add(items.get(i).getLabel());
        }
        return labels;
    }

    /** The names of the series the chart draws, dataset by dataset. */
    public static List<String> series(JFreeChart chart) {
        List<String> names = new ArrayList<>();
        if (chart.getPlot() instanceof XYPlot xy) {
            for (int d = 0; d < xy.getDatasetCount(); d++) {
                for (int s = 0; xy.getDataset(d) != null && s < xy.getDataset(d).getSeriesCount(); s++) {
                    names.add(xy.getDataset(d).getSeriesKey(s).toString());
                }
            }
        } else if (chart.getPlot() instanceof CategoryPlot c) {
            for (int d = 0; d < c.getDatasetCount(); d++) {
                if (c.getDataset(d) != null) {
                    c.getDataset(d).getRowKeys().forEach(k -> names.add(k.toString()));
                }
            }
        }
        return names;
    }

    /** Saves the chart drawn {@code width} × {@code height} as target/snapshots/{@code name}.png, to look at. */
    public static void save(JFreeChart chart, String name, int width, int height) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "snapshots"));
            ChartUtils.saveChartAsPNG(dir.resolve(name + ".png").toFile(), chart, width, height);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
