package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.experiment.Charts;
import dev.scales.core.experiment.Studies;
import dev.scales.ui.ChartChecks;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.api.Test;

class ChartStyleTest {
    /** A loss falling over 500 steps, as the loss chart and Compare's cost chart draw lines. */
    private static JFreeChart lossLines() {
        XYSeries loss = new XYSeries("loss");
        for (int step = 0; step <= 500; step++) {
            loss.add(step, 3 * Math.exp(-step / 100.0) + 0.1);
        }
        return Charts.lines(null, "step", "loss", List.of(loss), false);
    }

    @Test
    void aTallWideChartStillShowsAtMostTenTicksAnAxis() {
        // given a chart as JFreeChart ticks it on a large screen: a wall of numbers
        JFreeChart chart = lossLines();
        var plot = chart.getXYPlot();
        assertThat(ChartChecks.ticks(chart, plot.getRangeAxis(), 1600, 1400)).hasSizeGreaterThan(10);
        assertThat(ChartChecks.ticks(chart, plot.getDomainAxis(), 1600, 1400)).hasSizeGreaterThan(10);

        // when
        ChartStyle.readable(chart);

        // then
        for (int[] size : new int[][] {{1600, 1400}, {880, 480}, {400, 220}}) {
            assertThat(ChartChecks.ticks(chart, plot.getRangeAxis(), size[0], size[1])).hasSizeBetween(2, 10);
            assertThat(ChartChecks.ticks(chart, plot.getDomainAxis(), size[0], size[1])).hasSizeBetween(2, 10);
        }
        ChartChecks.save(chart, "chart-style-tall", 1600, 1400);

        // and after a zoom into a tenth of the steps, still at most ten
        plot.getDomainAxis().setRange(100, 150);
        assertThat(ChartChecks.ticks(chart, plot.getDomainAxis(), 1600, 1400)).hasSizeBetween(2, 10);
    }

    @Test
    void countAxesTickAtWholeNumbersOnly() {
        // given accuracy against k = 0…3 shots
        XYSeries accuracy = new XYSeries("gold labels");
        for (int k = 0; k <= 3; k++) {
            accuracy.add(k, 0.5 + 0.1 * k);
        }
        JFreeChart chart = Charts.lines(null, "demonstrations (k)", "accuracy", List.of(accuracy), false);
        NumberAxis k = (NumberAxis) chart.getXYPlot().getDomainAxis();
        assertThat(ChartChecks.ticks(chart, k, 880, 480)).anyMatch(l -> l.contains("."));

        // when
        ChartStyle.integerTicks(k);

        // then
        assertThat(ChartChecks.ticks(chart, k, 880, 480)).containsExactly("0", "1", "2", "3");
        assertThat(ChartChecks.ticks(chart, k, 1600, 400)).containsExactly("0", "1", "2", "3");
    }

    @Test
    void aLogarithmicAxisOfLabelledExamplesTicksAtWholeNumbersAtMostTen() {
        // given accuracy at N = 1, 2, 4 … 4096 labelled examples, on a log axis ticked at each power of two
        List<Studies.Point> points = new ArrayList<>();
        for (int n = 1; n <= 4096; n *= 2) {
            points.add(new Studies.Point(n, List.of(0.5 + n / 10000.0, 0.52 + n / 10000.0)));
        }
        JFreeChart chart = Charts.bands(null, "labelled examples (N)", "test accuracy",
                List.of(new Studies.Curve("fine-tuning", points)), true, 1.0);
        var n = chart.getXYPlot().getDomainAxis();
        assertThat(ChartChecks.ticks(chart, n, 1600, 480)).hasSize(13);

        // when
        ChartStyle.readable(chart);

        // then
        for (int width : new int[] {1600, 880, 500}) {
            assertThat(ChartChecks.ticks(chart, n, width, 480)).hasSizeBetween(2, 10)
                    .allMatch(l -> l.matches("[0-9,]+"), "whole numbers");
        }
        assertThat(ChartChecks.ticks(chart, n, 1600, 480)).contains("1", "4", "16", "64", "256", "1,024", "4,096");
        assertThat(ChartChecks.ticks(chart, chart.getXYPlot().getRangeAxis(), 1600, 1400)).hasSizeBetween(2, 10);
    }

    private static JFreeChart labelBars() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        data.addValue(1.0, "model", "positive");
        data.addValue(0.17, "model", "negative");
        data.addValue(0.61, "calibrated", "positive");
        data.addValue(0.39, "calibrated", "negative");
        JFreeChart chart = ChartStyle.bars("Label probabilities", "probability", data,
                new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        ChartStyle.unitRange(chart.getCategoryPlot().getRangeAxis());
        return chart;
    }

    @Test
    void barsWriteTheirValuesAndTheLegendNamesEverySeries() {
        // when
        JFreeChart chart = labelBars();

        // then
        CategoryPlot plot = chart.getCategoryPlot();
        assertThat(ChartChecks.legend(chart)).containsExactly("model", "calibrated")
                .isEqualTo(ChartChecks.series(chart));
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        assertThat(bars.isItemLabelVisible(0, 0)).isTrue();
        assertThat(bars.isItemLabelVisible(1, 1)).isTrue();
        assertThat(bars.getItemLabelGenerator(0, 0).generateLabel(plot.getDataset(), 0, 0)).isEqualTo("1.00");
        // written inside the bar that reaches the top of the 0–1 axis, where the plot's edge would cut it off
        assertThat(bars.getPositiveItemLabelPosition(0, 0).getItemLabelAnchor())
                .isEqualTo(org.jfree.chart.labels.ItemLabelAnchor.INSIDE12);
        assertThat(bars.getPositiveItemLabelPosition(1, 0).getItemLabelAnchor())
                .isEqualTo(org.jfree.chart.labels.ItemLabelAnchor.OUTSIDE12);
        assertThat(bars.getItemLabelGenerator(1, 1).generateLabel(plot.getDataset(), 1, 1)).isEqualTo("0.39");
        assertThat(plot.getRangeAxis().getRange()).isEqualTo(new org.jfree.data.Range(0, 1));
        assertThat(ChartChecks.ticks(chart, plot.getRangeAxis(), 880, 1400)).hasSizeBetween(2, 10);
        ChartChecks.save(chart, "chart-style-bars", 640, 240);
    }

    @Test
    void presentationModeEnlargesABarChartsTypeAndOutlinesItsBars() {
        // given
        JFreeChart chart = labelBars();
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer bars = (BarRenderer) plot.getRenderer();

        // when
        Presentation.thicken(chart, true);

        // then
        for (var axis : List.of(plot.getRangeAxis(), plot.getDomainAxis())) {
            assertThat(axis.getTickLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
            assertThat(axis.getLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
        }
        assertThat(chart.getLegend().getItemFont().getSize2D()).isGreaterThanOrEqualTo(16f);
        assertThat(bars.getDefaultItemLabelFont().getSize2D()).isGreaterThanOrEqualTo(16f);
        assertThat(bars.isDrawBarOutline()).isTrue();
        assertThat(((java.awt.BasicStroke) bars.getItemOutlineStroke(0, 0)).getLineWidth()).isEqualTo(2f);
        ChartChecks.save(chart, "chart-style-bars-presentation", 880, 400);

        // when
        Presentation.thicken(chart, false);

        // then
        assertThat(plot.getRangeAxis().getTickLabelFont().getSize2D()).isEqualTo(10f);
        assertThat(bars.getDefaultItemLabelFont().getSize2D()).isEqualTo(11f);
        assertThat(bars.isDrawBarOutline()).isFalse();
    }

    @Test
    void aChartTakesTheThemesColoursAndFollowsItEachTimeItChanges() {
        // given a chart of two curves drawn by core in the reports' palette
        XYSeries train = new XYSeries("train");
        XYSeries validation = new XYSeries("validation");
        for (int step = 0; step <= 10; step++) {
            train.add(step, 1.0 / (step + 1));
            validation.add(step, 1.2 / (step + 1));
        }
        JFreeChart chart = Charts.lines("loss", "step", "loss", List.of(train, validation), false);

        // when painted dark, light and dark again
        for (Theme theme : List.of(Theme.DARK, Theme.LIGHT, Theme.DARK)) {
            ChartTheme.paint(chart, theme);
        }

        // then it has the dark theme's colours only: each curve its swatch's dark shade
        var renderer = (org.jfree.chart.renderer.AbstractRenderer) chart.getXYPlot().getRenderer();
        assertThat(renderer.getSeriesPaint(0)).isEqualTo(Swatch.BLUE.in(Theme.DARK));
        assertThat(renderer.getSeriesPaint(1)).isEqualTo(Swatch.VERMILLION.in(Theme.DARK));
        assertThat(chart.getBackgroundPaint()).isEqualTo(Theme.DARK.chart().background());
        assertThat(chart.getXYPlot().getBackgroundPaint()).isEqualTo(Theme.DARK.chart().background());
        assertThat(chart.getXYPlot().getRangeAxis().getTickLabelPaint()).isEqualTo(Theme.DARK.chart().text());
        assertThat(chart.getLegend().getItemPaint()).isEqualTo(Theme.DARK.chart().text());
        ChartChecks.save(chart, "chart-style-dark", 640, 360);
    }

    @Test
    void aValueWrittenInsideItsBarIsInThePlotsBackgroundColour() {
        // given a bar at the top of a 0–1 axis: its value goes inside its top
        JFreeChart chart = labelBars();
        CategoryPlot plot = chart.getCategoryPlot();

        for (Theme theme : Theme.values()) {
            // when
            ChartTheme.paint(chart, theme);

            // then
            assertThat(plot.getRenderer().getItemLabelPaint(0, 0)).isEqualTo(theme.chart().background());
            assertThat(plot.getRenderer().getItemLabelPaint(0, 1)).as("above its bar").isEqualTo(theme.chart().text());
        }
    }
}
