package dev.scales.core.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts saved as files: what is saved is the chart as it was when the save was asked for. */
class ChartsTest {
    @TempDir
    Path dir;

    @Test
    void aDrawingWrittenLaterShowsTheChartAsItWasWhenItWasTaken() throws Exception {
        // given a chart of a curve, and a drawing of it taken now
        XYSeries curve = new XYSeries("loss");
        for (int step = 1; step <= 50; step++) {
            curve.add(step, 3.0 / step);
        }
        JFreeChart chart = Charts.lines("Loss", "step", "loss", List.of(curve), false);
        Path now = dir.resolve("now.png");
        Charts.save(chart, now);
        Charts.Drawing taken = Charts.drawn(chart, dir.resolve("taken.png"));

        // when the chart changes before the drawing is written (points arrive, as while training)
        for (int step = 51; step <= 100; step++) {
            curve.add(step, 10.0);
        }
        taken.write();

        // then the file shows the chart as it was, and the chart itself goes on changing
        assertThat(pixels(dir.resolve("taken.png"))).isEqualTo(pixels(now));
        Path later = dir.resolve("later.png");
        Charts.save(chart, later);
        assertThat(pixels(later)).isNotEqualTo(pixels(now));
        assertThat(((XYSeriesCollection) chart.getXYPlot().getDataset()).getSeries(0).getItemCount()).isEqualTo(100);
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage image = ImageIO.read(png.toFile());
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }
}
