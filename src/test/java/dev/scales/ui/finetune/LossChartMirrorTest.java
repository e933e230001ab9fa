package dev.scales.ui.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.api.Test;

class LossChartMirrorTest {
    private static List<double[]> noisyCurve(int n, long seed) {
        Random r = new Random(seed);
        List<double[]> points = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            points.add(new double[] {i, 3 * Math.exp(-i / 20_000.0) + 0.2 * r.nextGaussian()});
        }
        return points;
    }

    @Test
    void aShortRunIsDrawnPointByPoint() {
        List<double[]> points = noisyCurve(LossChart.MAX_DRAWN, 1);
        XYSeries series = new XYSeries("s", false, true);
        List<double[]> growing = new ArrayList<>();
        LossChart.Mirror mirror = new LossChart.Mirror(growing, series);
        for (int i = 0; i < points.size(); i += 37) {
            growing.addAll(points.subList(i, Math.min(points.size(), i + 37)));
            mirror.update();
        }

        assertThat(series.getItemCount()).isEqualTo(points.size());
        assertThat(series.getY(123).doubleValue()).isEqualTo(points.get(123)[1]);
    }

    @Test
    void aLongRunKeepsItsEnvelopeInAboutMaxDrawnPointsWhicheverWayItArrives() {
        List<double[]> points = noisyCurve(100_000, 2);
        XYSeries inBatches = new XYSeries("a", false, true);
        List<double[]> growing = new ArrayList<>();
        LossChart.Mirror mirror = new LossChart.Mirror(growing, inBatches);
        for (int i = 0; i < points.size(); i += 613) { // batches as a coalescer hands them over
            growing.addAll(points.subList(i, Math.min(points.size(), i + 613)));
            mirror.update();
        }
        XYSeries atOnce = new XYSeries("b", false, true);
        new LossChart.Mirror(points, atOnce).update();

        int bucket = LossChart.bucketFor(points.size());
        assertThat(inBatches.getItemCount()).isLessThanOrEqualTo(LossChart.MAX_DRAWN + bucket)
                .isEqualTo(atOnce.getItemCount());
        assertThat(inBatches.getMinY()).isEqualTo(points.stream().mapToDouble(p -> p[1]).min().orElseThrow());
        assertThat(inBatches.getMaxY()).isEqualTo(points.stream().mapToDouble(p -> p[1]).max().orElseThrow());
        assertThat(inBatches.getMinX()).isLessThanOrEqualTo(bucket); // an extreme of the first bucket
        assertThat(inBatches.getMaxX()).isLessThanOrEqualTo(100_000).isGreaterThan(100_000 - bucket);
        for (int i = 1; i < inBatches.getItemCount(); i++) { // still in step order
            assertThat(inBatches.getX(i).doubleValue()).isGreaterThan(inBatches.getX(i - 1).doubleValue());
        }

        // a new run clears it
        growing.clear();
        mirror.update();
        assertThat(inBatches.getItemCount()).isZero();
    }
}
