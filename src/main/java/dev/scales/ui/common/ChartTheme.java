package dev.scales.ui.common;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.AbstractRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;

/**
 * A chart in a theme's colours. JFreeChart draws with AWT colours, which the stylesheets do not
 * reach, so this paints them: the background, titles, legend, axes, gridlines and markers in the
 * theme's {@link Theme.ChartColors}, and each series in its {@link Swatch}'s shade for the theme (a
 * colour that is no swatch's stays). Painting again in another theme recolours everything, so a
 * chart follows the theme however often it changes.
 */
public final class ChartTheme {
    /** Series slots recoloured beyond those with data now: renderers are given colours before their series come. */
    private static final int SLOTS = 16;
    /** How opaque a marker label's background is: the line behind it shows through a little. */
    private static final int LABEL_ALPHA = 210;

    private ChartTheme() {}

    /** Paints {@code chart} in {@code theme}'s colours; returns it. */
    public static JFreeChart paint(JFreeChart chart, Theme theme) {
        Theme.ChartColors c = theme.chart();
        chart.setBackgroundPaint(c.background());
        for (int i = 0; i < chart.getSubtitleCount(); i++) {
            title(chart.getSubtitle(i), c);
        }
        if (chart.getTitle() != null) {
            title(chart.getTitle(), c);
        }
        Plot plot = chart.getPlot();
        plot.setBackgroundPaint(c.background());
        plot.setOutlinePaint(c.grid());
        plot.setNoDataMessagePaint(c.muted());
        plot.setDrawingSupplier(supplier(theme)); // series that get no colour of their own take these
        grid(plot, c.grid());
        ChartParts.axes(plot).forEach(a -> axis(a, theme));
        ChartParts.markers(plot).forEach(m -> paint(m, theme));
        ChartParts.series(plot).forEach(s -> renderer(s, theme));
        chart.fireChartChanged();
        return chart;
    }

    /** Paints a marker (a line across the plot and its label) in {@code theme}'s colours: for one added later. */
    public static void paint(Marker marker, Theme theme) {
        Theme.ChartColors c = theme.chart();
        marker.setPaint(shade(marker.getPaint(), theme, c.muted()));
        marker.setLabelPaint(c.text());
        Color b = c.background();
        marker.setLabelBackgroundColor(new Color(b.getRed(), b.getGreen(), b.getBlue(), LABEL_ALPHA));
    }

    /** {@code paint} in {@code theme}: its swatch's shade, or {@code otherwise} when it is no swatch's. */
    static Paint shade(Paint paint, Theme theme, Paint otherwise) {
        return Swatch.of(paint).<Paint>map(s -> s.in(theme)).orElse(otherwise);
    }

    private static void title(Title title, Theme.ChartColors c) {
        if (title instanceof TextTitle text) {
            text.setPaint(c.text());
        } else if (title instanceof LegendTitle legend) {
            legend.setItemPaint(c.text());
            legend.setBackgroundPaint(c.background());
        }
    }

    private static void grid(Plot plot, Color grid) {
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(grid);
            xy.setRangeGridlinePaint(grid);
        } else if (plot instanceof CategoryPlot category) {
            category.setRangeGridlinePaint(grid);
        }
    }

    /** Labels and ticks in the text colour, or in their series' swatch (a second axis for one curve). */
    private static void axis(Axis axis, Theme theme) {
        Theme.ChartColors c = theme.chart();
        axis.setLabelPaint(shade(axis.getLabelPaint(), theme, c.text()));
        axis.setTickLabelPaint(shade(axis.getTickLabelPaint(), theme, c.text()));
        axis.setAxisLinePaint(c.muted());
        axis.setTickMarkPaint(c.muted());
    }

    private static void renderer(ChartParts.Series series, Theme theme) {
        AbstractRenderer r = series.renderer();
        for (int i = 0; i < Math.max(SLOTS, series.count()); i++) {
            if (r.getSeriesPaint(i) != null) {
                r.setSeriesPaint(i, shade(r.getSeriesPaint(i), theme, r.getSeriesPaint(i)), false);
            }
            if (r.getSeriesFillPaint(i) != null) {
                r.setSeriesFillPaint(i, shade(r.getSeriesFillPaint(i), theme, r.getSeriesFillPaint(i)), false);
            }
        }
        r.setDefaultPaint(shade(r.getDefaultPaint(), theme, r.getDefaultPaint()), false);
        r.setDefaultItemLabelPaint(theme.chart().text(), false);
        r.setDefaultOutlinePaint(theme.chart().text(), false); // bars' outlines in presentation mode
    }

    private static DefaultDrawingSupplier supplier(Theme theme) {
        Paint[] series = Swatch.SERIES.stream().map(s -> s.in(theme)).toArray(Paint[]::new);
        return new DefaultDrawingSupplier(series, series, new Paint[] {theme.chart().text()},
                DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE);
    }
}
