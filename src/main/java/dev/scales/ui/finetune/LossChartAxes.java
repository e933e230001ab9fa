package dev.scales.ui.finetune;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;

/** The loss chart's axes: the loss on a linear or log scale, and the learning rate's ticks. */
final class LossChartAxes {
    private LossChartAxes() {}

    /** The loss axis, linear (not from 0) or logarithmic, with at most ten ticks. */
    static ValueAxis loss(boolean log) {
        ValueAxis axis = log ? new LossLogAxis() : new NumberAxis("loss");
        if (axis instanceof NumberAxis linear) {
            linear.setAutoRangeIncludesZero(false);
        }
        dev.scales.ui.common.ChartStyle.atMostTenTicks(axis);
        return axis;
    }

    /**
     * The loss on a log scale, ticked where a reader looks for values: every 1–9 × 10ⁿ when the
     * loss spans less than a decade, else 1, 2 and 5 × 10ⁿ, else each power of ten — the first of
     * these with at most ten ticks; written as decimals (0.5, not 10^-0.3). A range too narrow for
     * two such ticks gets LogAxis's own.
     */
    private static final class LossLogAxis extends LogAxis {
        LossLogAxis() {
            super("loss");
            setSmallestValue(1e-6);
            setNumberFormatOverride(new DecimalFormat("0.######", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        }

        @Override
        protected List<ValueTick> refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
            Range range = getRange();
            List<int[]> choices = range.getUpperBound() / range.getLowerBound() < 10
                    ? List.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}) : List.of(new int[] {1, 2, 5}, new int[] {1});
            TextAnchor anchor = edge == RectangleEdge.LEFT ? TextAnchor.CENTER_RIGHT : TextAnchor.CENTER_LEFT;
            for (int[] mantissas : choices) {
                List<ValueTick> ticks = new ArrayList<>();
                for (int e = (int) Math.floor(Math.log10(range.getLowerBound())); e <= Math.log10(range.getUpperBound());
                     e++) {
                    for (int m : mantissas) {
                        double v = m * Math.pow(10, e);
                        if (range.contains(v)) {
                            ticks.add(new NumberTick(TickType.MAJOR, v, getNumberFormatOverride().format(v), anchor,
                                    anchor, 0));
                        }
                    }
                }
                if (ticks.size() >= 2 && ticks.size() <= dev.scales.ui.common.ChartStyle.MAX_TICKS) {
                    return ticks;
                }
            }
            return super.refreshTicksVertical(g2, dataArea, edge); // a narrow range, or a loss over ten decades
        }
    }

    /** Learning-rate ticks of 1, 2 and 5 × 10ⁿ, written as training code writes them (2e-4). */
    static TickUnits rateTicks() {
        DecimalFormatSymbols symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
        symbols.setExponentSeparator("e");
        DecimalFormat scientific = new DecimalFormat("0.#E0", symbols);
        NumberFormat format = new NumberFormat() {
            @Override
            public StringBuffer format(double v, StringBuffer to, FieldPosition at) {
                return v == 0 ? to.append('0') : scientific.format(v, to, at);
            }

            @Override
            public StringBuffer format(long v, StringBuffer to, FieldPosition at) {
                return format((double) v, to, at);
            }

            @Override
            public Number parse(String text, ParsePosition at) {
                return scientific.parse(text, at);
            }
        };
        TickUnits units = new TickUnits();
        for (int exponent = -10; exponent <= 1; exponent++) {
            for (int m : new int[] {1, 2, 5}) {
                units.add(new NumberTickUnit(m * Math.pow(10, exponent), format));
            }
        }
        return units;
    }
}
