package dev.scales.core.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.util.PublicCloneable;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** Charts written as PNG files for reports (AWT, headless): lines with ± one standard deviation bands. */
public final class Charts {
    /** The series colours, readable for the common colour-vision deficiencies (Okabe–Ito). */
    public static final List<Color> PALETTE = List.of(new Color(0x00, 0x72, 0xB2), new Color(0xD5, 0x5E, 0x00),
            new Color(0x00, 0x9E, 0x73), new Color(0xCC, 0x79, 0xA7), new Color(0x56, 0xB4, 0xE9),
            new Color(0xE6, 0x9F, 0x00));

    private Charts() {}

    /** Mean ± std bands of several curves against x. */
    public static JFreeChart bands(String title, String xLabel, String yLabel, List<Studies.Curve> curves,
                                   boolean logX, Double yMax) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Studies.Curve c : curves) {
            YIntervalSeries s = new YIntervalSeries(c.name());
            for (Studies.Point p : c.points()) {
                s.add(p.x(), p.mean(), p.mean() - p.std(), p.mean() + p.std());
            }
            data.addSeries(s);
        }
        DeviationRenderer r = new DeviationRenderer(true, true);
        r.setAlpha(0.18f);
        for (int i = 0; i < curves.size(); i++) {
            r.setSeriesPaint(i, PALETTE.get(i % PALETTE.size()));
            r.setSeriesFillPaint(i, PALETTE.get(i % PALETTE.size()));
            r.setSeriesStroke(i, new BasicStroke(2.2f));
        }
        NumberAxis y = new NumberAxis(yLabel);
        if (yMax != null) {
            y.setRange(0, yMax);
        }
        return styled(title, new XYPlot(data, xAxis(xLabel, logX, 2), y, r));
    }

    /** Plain lines with point markers (no bands). */
    public static JFreeChart lines(String title, String xLabel, String yLabel, List<XYSeries> series, boolean logX) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach(data::addSeries);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE.get(i % PALETTE.size()));
            r.setSeriesStroke(i, new BasicStroke(2.2f));
        }
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        return styled(title, new XYPlot(data, xAxis(xLabel, logX, 10), y, r));
    }

    static ValueAxis xAxis(String label, boolean log, double base) {
        if (log) {
            LogAxis a = new LogAxis(label);
            a.setBase(base);
            a.setSmallestValue(1e-6);
            a.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // one tick per power of the base
            a.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.####"));
            return a;
        }
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        return a;
    }

    static JFreeChart styled(String title, XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        JFreeChart chart = new JFreeChart(title, new Font("SansSerif", Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Draws {@code chart} into {@code file} now: PNG, or SVG by the extension. */
    public static void save(JFreeChart chart, Path file) throws IOException {
        if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".svg")) {
            org.apache.batik.svggen.SVGGraphics2D g = svgOf(chart);
            try {
                dev.scales.core.util.AtomicFiles.write(file, out -> {
                    java.io.Writer w = new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8);
                    g.stream(w, true);
                    w.flush();
                });
            } finally {
                g.dispose();
            }
            return;
        }
        java.awt.image.BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
        dev.scales.core.util.AtomicFiles.write(file, out -> {
            if (!javax.imageio.ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this Java runtime");
            }
        });
    }

    /** Writes a drawing to its file. */
    @FunctionalInterface
    public interface Drawing {
        void write() throws IOException;
    }

    /**
     * The XY chart as it is now, for {@code file} (PNG, or SVG by the extension): copied on the
     * thread that owns the chart (a few milliseconds), then drawn and written by the drawing
     * returned, on any thread — drawing is the slow part (a third of a second for a PNG), kept off
     * a UI thread. The copy's datasets are copied too: JFreeChart's clone shares them, and points
     * arriving meanwhile would reach the drawing.
     */
    public static Drawing drawn(JFreeChart chart, Path file) {
        JFreeChart copy;
        try {
            copy = (JFreeChart) chart.clone();
            XYPlot xy = copy.getXYPlot();
            for (int i = 0; i < xy.getDatasetCount(); i++) {
                if (xy.getDataset(i) instanceof PublicCloneable d) {
                    xy.setDataset(i, (org.jfree.data.xy.XYDataset) d.clone());
                }
            }
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("a chart that cannot be copied", e);
        }
        return () -> save(copy, file);
    }

    private static org.apache.batik.svggen.SVGGraphics2D svgOf(JFreeChart chart) {
        org.w3c.dom.Document doc;
        try {
            doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().getDOMImplementation()
                    .createDocument("http://www.w3.org/2000/svg", "svg", null);
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("no XML DOM in this Java runtime", e);
        }
        org.apache.batik.svggen.SVGGraphics2D g = new org.apache.batik.svggen.SVGGraphics2D(doc);
        g.setSVGCanvasSize(new java.awt.Dimension(WIDTH, HEIGHT));
        chart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        return g;
    }

    static final int WIDTH = 880;
    static final int HEIGHT = 480;
}
