package dev.scales.ui.common;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import java.awt.Color;
import java.util.Arrays;
import java.util.Objects;
import javafx.application.Application;
import javafx.scene.Parent;

/**
 * The app's looks: AtlantaFX's Primer Light and Primer Dark. A theme is the user agent stylesheet
 * every window is drawn with (scales.css, on top, takes its colours from the theme's looked-up
 * colours such as {@code -color-fg-default}, so it follows), and the AWT colours charts are drawn
 * in, which CSS does not reach ({@link ChartTheme}); those are the theme's own background, text and
 * border colours (ContrastTest reads them from the stylesheet to check). Like the user agent
 * stylesheet, the theme is the application's: {@link #current()} is the one applied last.
 */
public enum Theme {
    LIGHT("light", new PrimerLight().getUserAgentStylesheet(),
            new ChartColors(new Color(0xffffff), new Color(0x24292f), new Color(0x57606a), new Color(0xd0d7de))),
    DARK("dark", new PrimerDark().getUserAgentStylesheet(),
            new ChartColors(new Color(0x0d1117), new Color(0xc9d1d9), new Color(0x8b949e), new Color(0x30363d)));

    /**
     * The colours of a chart's parts other than its data (those are {@link Swatch}es).
     *
     * @param background the chart's and its plot's background: the theme's {@code -color-bg-default}
     * @param text       titles, axis labels and ticks, the legend: {@code -color-fg-default}
     * @param muted      the message of an empty chart, axis lines, markers: {@code -color-fg-muted}
     * @param grid       gridlines and the plot's outline: {@code -color-border-default}
     */
    public record ChartColors(Color background, Color text, Color muted, Color grid) {}

    private static volatile Theme current = LIGHT;

    private final String id;
    private final String stylesheet;
    private final ChartColors chart;

    Theme(String id, String stylesheet, ChartColors chart) {
        this.id = id;
        this.stylesheet = stylesheet;
        this.chart = chart;
    }

    /** The theme named {@code id} (as the settings file keeps it); light for a name it does not know. */
    public static Theme named(String id) {
        return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst().orElse(LIGHT);
    }

    /** The theme applied last (light before any). */
    public static Theme current() {
        return current;
    }

    /** The app's own stylesheet, which every window of the app adds on top of the theme. */
    public static String appStylesheet() {
        return Objects.requireNonNull(Theme.class.getResource("/dev/scales/ui/scales.css"), "scales.css")
                .toExternalForm();
    }

    /** Its name in the settings file. */
    public String id() {
        return id;
    }

    /** The user agent stylesheet, a resource path in AtlantaFX's jar. */
    public String stylesheet() {
        return stylesheet;
    }

    public ChartColors chart() {
        return chart;
    }

    /**
     * Makes this the app's theme: the user agent stylesheet of every window, and the colours of every
     * chart under {@code root}. Charts made later take it when they are made ({@link ChartStyle#readable}).
     */
    public void apply(Parent root) {
        current = this;
        Application.setUserAgentStylesheet(stylesheet);
        ChartParts.chartsUnder(root).forEach(c -> ChartTheme.paint(c, this));
    }

    @Override
    public String toString() {
        return id;
    }
}
