package dev.scales.ui.common;

import java.awt.Font;
import java.text.NumberFormat;
import java.util.function.DoubleSupplier;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.TickUnit;
import org.jfree.chart.axis.TickUnitSource;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;

/**
 * What every chart in the app shares, so they read alike: at most ten ticks on an axis however
 * tall the chart or small the type, whole-number ticks on count axes, flat bars with their
 * values written on them and every series in the legend, and the theme's colours.
 */
public final class ChartStyle {
    /** The most ticks an axis shows: more is a wall of numbers, as TensorBoard's charts never show. */
    public static final int MAX_TICKS = 10;

    private ChartStyle() {}

    /**
     * Gives every value axis of {@code chart} at most {@link #MAX_TICKS} ticks, its legend a gap
     * after each entry (out of the box the next name starts where one ends), and the colours of the
     * theme applied now ({@link ChartTheme}); returns the chart. Every chart the app shows is made
     * through here, so one made after the theme changed is drawn in it too.
     */
    public static JFreeChart readable(JFreeChart chart) {
        ChartParts.valueAxes(chart.getPlot()).forEach(ChartStyle::atMostTenTicks);
        if (chart.getLegend() != null) {
            chart.getLegend().setItemLabelPadding(new RectangleInsets(2, 2, 2, 10));
        }
        return ChartTheme.paint(chart, Theme.current());
    }

    /**
     * Limits an axis's automatic ticks to {@link #MAX_TICKS}. A log axis ticked at each power of its
     * base (as Compare's N axis is) keeps whole powers, skipping some when there are too many.
     */
    public static void atMostTenTicks(ValueAxis axis) {
        if (axis instanceof NumberAxis n && !(n.getStandardTickUnits() instanceof AtMost)) {
            n.setStandardTickUnits(new AtMost(n.getStandardTickUnits(), () -> n.getRange().getLength()));
        } else if (axis instanceof LogAxis log && !(log.getStandardTickUnits() instanceof AtMost)) {
            TickUnitSource units = log.isAutoTickUnitSelection() ? log.getStandardTickUnits()
                    : NumberAxis.createIntegerTickUnits(); // a fixed unit of whole powers: stay whole
            log.setStandardTickUnits(new AtMost(units, () -> log.calculateLog(log.getUpperBound())
                    - log.calculateLog(Math.max(log.getSmallestValue(), log.getLowerBound()))));
            log.setAutoTickUnitSelection(true, false);
        }
    }

    /** Whole-number ticks (1, 2, 5, 10…), at most ten: for counts such as k shots or N examples. */
    public static void integerTicks(NumberAxis axis) {
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        atMostTenTicks(axis);
    }

    /** An accuracy or probability axis: always 0 to 1, zoomed or not (a double-click restores it). */
    public static void unitRange(ValueAxis axis) {
        axis.setRange(0, 1);
        atMostTenTicks(axis);
    }

    /**
     * A vertical bar chart of {@code data} (rows are the series, in the legend; columns the
     * groups), flat bars in the series swatches' colours, each with its value written above it in
     * {@code values}, and at most ten ticks on its value axis.
     */
    public static JFreeChart bars(String title, String valueLabel, CategoryDataset data, NumberFormat values) {
        BarRenderer renderer = new ValueBars();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setMaximumBarWidth(0.25); // one or two bars stay bars, not walls
        for (int i = 0; i < Swatch.SERIES.size(); i++) {
            renderer.setSeriesPaint(i, Swatch.SERIES.get(i).now());
        }
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", values));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font("SansSerif", Font.PLAIN, 11));
        renderer.setDefaultPositiveItemLabelPosition(ValueBars.ABOVE);
        // inside a bar JFreeChart drops a label whose measured box pokes out of it (on the FX canvas the
        // measure is loose): written there all the same
        renderer.setPositiveItemLabelPositionFallback(ValueBars.INSIDE);
        NumberAxis axis = new NumberAxis(valueLabel);
        axis.setUpperMargin(0.15); // room for the values above the tallest bar
        CategoryPlot plot = new CategoryPlot(data, new org.jfree.chart.axis.CategoryAxis(), axis, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        return readable(new JFreeChart(title, new Font("SansSerif", Font.BOLD, 15), plot, true));
    }

    /**
     * Bars with their values above them, or, for a bar reaching the top tenth of a fixed axis (a
     * probability of 0.98 on 0–1), inside its top in the plot's background colour (which reads on a
     * swatch as the swatch reads on it): above, the plot's edge would cut it.
     */
    private static final class ValueBars extends BarRenderer {
        static final ItemLabelPosition ABOVE = new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER);
        static final ItemLabelPosition INSIDE = new ItemLabelPosition(ItemLabelAnchor.INSIDE12, TextAnchor.TOP_CENTER);

        @Override
        public ItemLabelPosition getPositiveItemLabelPosition(int row, int column) {
            return nearTheTop(row, column) ? INSIDE : super.getPositiveItemLabelPosition(row, column);
        }

        @Override
        public java.awt.Paint getItemLabelPaint(int row, int column) {
            return nearTheTop(row, column) ? getPlot().getBackgroundPaint() : super.getItemLabelPaint(row, column);
        }

        private boolean nearTheTop(int row, int column) {
            CategoryPlot plot = getPlot();
            int index = plot == null ? -1 : plot.getIndexOf(this);
            if (index < 0 || plot.getDataset(index) == null) {
                return false;
            }
            ValueAxis axis = plot.getRangeAxisForDataset(index);
            Number v = plot.getDataset(index).getValue(row, column);
            return v != null && !axis.isAutoRange()
                    && v.doubleValue() > axis.getUpperBound() - axis.getRange().getLength() / 10;
        }
    }

    /**
     * Tick units no finer than the axis's span over {@code MAX_TICKS - 1}: ticks at multiples of a
     * unit u over a span s number at most s/u + 1. The span is read when the axis picks its unit,
     * so it follows zooming and new data.
     */
    private record AtMost(TickUnitSource units, DoubleSupplier span) implements TickUnitSource {
        @Override
        public TickUnit getLargerTickUnit(TickUnit unit) {
            return atLeastMinimum(units.getLargerTickUnit(unit));
        }

        @Override
        public TickUnit getCeilingTickUnit(TickUnit unit) {
            return atLeastMinimum(units.getCeilingTickUnit(unit));
        }

        @Override
        public TickUnit getCeilingTickUnit(double size) {
            return units.getCeilingTickUnit(Math.max(size, minimum()));
        }

        private TickUnit atLeastMinimum(TickUnit unit) {
            return unit.getSize() >= minimum() ? unit : units.getCeilingTickUnit(minimum());
        }

        private double minimum() {
            double s = span.getAsDouble();
            return Double.isFinite(s) && s > 0 ? s / (MAX_TICKS - 1) : 0;
        }
    }
}
