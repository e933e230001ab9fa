package dev.scales.ui.finetune;

import org.jfree.chart.LegendItem;
import org.jfree.chart.renderer.xy.SamplingXYLineRenderer;

/**
 * Lines drawn one stroke per pixel column, however many steps a run has (JFreeChart's sampling
 * renderer), auto-ranged from each series' tracked bounds, with a legend line as wide as the
 * series' own (the renderer's is 0 px: invisible).
 */
final class SampledLines extends SamplingXYLineRenderer {
    SampledLines() {
        setDataBoundsIncludesVisibleSeriesOnly(false); // the series' own bounds: no pass over every point
    }

    @Override
    public LegendItem getLegendItem(int dataset, int series) {
        LegendItem item = super.getLegendItem(dataset, series);
        if (item != null) {
            item.setLineStroke(lookupSeriesStroke(series));
        }
        return item;
    }
}
