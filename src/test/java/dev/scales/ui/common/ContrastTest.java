package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.experiment.Charts;
import dev.scales.core.experiment.Studies;
import java.awt.Paint;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javafx.scene.paint.Color;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.Axis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Text reads at 4.5:1 or more (WCAG's relative luminance) in both themes and in presentation mode,
 * computed from the stylesheets as they are: the theme's looked-up colours (AtlantaFX's Primer CSS,
 * read from its jar, with scales.css's overrides), every text colour scales.css and guide.css set on
 * every background they paint, and the colours charts are drawn in on their background.
 */
class ContrastTest {
    static final double MINIMUM = 4.5;

    /** The theme's text colours the app shows: labels, muted notes, prompt text, links, errors. */
    static final List<String> THEME_TEXT = List.of("-color-fg-default", "-color-fg-muted", "-color-fg-subtle",
            "-color-accent-fg", "-color-danger-fg");
    /** The theme's backgrounds under that text: panes and fields, and raised parts (bars, cards, buttons). */
    static final List<String> THEME_BACKGROUNDS = List.of("-color-bg-default", "-color-bg-subtle");

    static Stream<Arguments> looks() {
        return Stream.of(Theme.values()).flatMap(t -> Stream.of(Arguments.of(t, false), Arguments.of(t, true)));
    }

    @ParameterizedTest(name = "{0}, presentation {1}")
    @MethodSource("looks")
    void everyTextColourReadsOnEveryBackground(Theme theme, boolean presentation) throws IOException {
        Look look = Look.of(theme, presentation);
        Ratios ratios = new Ratios();
        look.sheets().forEach(rules -> checkSheet(look, rules, ratios));
        ratios.check(new Named("-color-fg-emphasis", look.colour("-color-fg-emphasis")),
                new Named("-color-accent-emphasis (an accent button)", look.colour("-color-accent-emphasis")));

        ratios.report(theme + (presentation ? ", presentation" : "") + ", text");
    }

    /**
     * The theme's text colours and each text colour {@code rules} set, on the theme's backgrounds
     * and each opaque background they paint; and the text of a rule with a translucent background
     * on that shade, over each of those backgrounds.
     */
    private static void checkSheet(Look look, List<Rule> rules, Ratios ratios) {
        List<Named> texts = new ArrayList<>();
        List<Named> backgrounds = new ArrayList<>();
        List<Rule> overlays = new ArrayList<>();
        THEME_TEXT.forEach(v -> texts.add(new Named(v, look.colour(v))));
        THEME_BACKGROUNDS.forEach(v -> backgrounds.add(new Named(v, look.colour(v))));
        for (Rule rule : rules) {
            for (String property : List.of("-fx-text-fill", rule.textFill())) {
                rule.get(property).ifPresent(v -> texts.add(new Named(rule.name(property), look.colour(v))));
            }
            Color background = rule.get(rule.backgroundFill()).map(look::layer).orElse(null);
            if (background != null && background.getOpacity() == 1) {
                backgrounds.add(new Named(rule.name(rule.backgroundFill()), background));
            } else if (background != null && background.getOpacity() > 0) {
                overlays.add(rule);
            }
        }
        texts.forEach(t -> backgrounds.forEach(b -> ratios.check(t, b)));
        for (Rule overlay : overlays) {
            Color shade = look.layer(overlay.get(overlay.backgroundFill()).orElseThrow());
            Named text = new Named(overlay.name("text"), look.colour(overlay.get("-fx-text-fill").orElse("-color-fg-default")));
            backgrounds.forEach(b -> ratios.check(text, new Named(overlay.name("background") + " over " + b.name(),
                    over(shade, b.colour()))));
        }
    }

    @ParameterizedTest
    @EnumSource(Theme.class)
    void chartsAreDrawnInTheThemesOwnColours(Theme theme) throws IOException {
        Look look = Look.of(theme, false);
        Theme.ChartColors c = theme.chart();
        assertThat(fx(c.background())).as("chart background").isEqualTo(look.colour("-color-bg-default"));
        assertThat(fx(c.text())).as("chart text").isEqualTo(look.colour("-color-fg-default"));
        assertThat(fx(c.muted())).as("chart muted text").isEqualTo(look.colour("-color-fg-muted"));
        assertThat(fx(c.grid())).as("chart grid").isEqualTo(look.colour("-color-border-default"));
    }

    @ParameterizedTest
    @EnumSource(Theme.class)
    void chartTextAndSeriesReadOnTheChartBackground(Theme theme) {
        Ratios ratios = new Ratios();
        for (JFreeChart chart : charts()) {
            ChartTheme.paint(chart, theme);
            Named background = new Named("plot background", fx(chart.getPlot().getBackgroundPaint()));
            drawnColours(chart).forEach(n -> ratios.check(n, background));
            ratios.check(new Named("chart text", fx(chart.getLegend().getItemPaint())),
                    new Named("chart background", fx(chart.getBackgroundPaint())));
        }
        Named background = new Named("chart background", fx(theme.chart().background()));
        for (Swatch s : Swatch.values()) { // every series colour, those of the loss chart's curves too
            ratios.check(new Named("series " + s, fx(s.in(theme))), background);
        }
        ratios.report(theme + ", charts");
    }

    /** The kinds of chart the app draws: lines and bands from core (Compare), bars (Lesson, label probabilities). */
    private static List<JFreeChart> charts() {
        JFreeChart cost = Charts.lines("cost", "predictions", "tokens", List.of(line("prompting"), line("tuned")), false);
        ValueMarker breakEven = new ValueMarker(1, java.awt.Color.DARK_GRAY, new java.awt.BasicStroke(1));
        breakEven.setLabel("break-even");
        cost.getXYPlot().addDomainMarker(breakEven);
        Studies.Curve curve = new Studies.Curve("few-shot", List.of(new Studies.Point(1, List.of(0.5, 0.6))));
        JFreeChart bands = Charts.bands("labelled", "N", "accuracy", List.of(curve, curve, curve), true, 1.0);
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        data.addValue(0.4, "base", "zero-shot");
        data.addValue(0.8, "fine-tuned", "zero-shot");
        JFreeChart bars = ChartStyle.bars("both", "accuracy", data, NumberFormat.getPercentInstance(Locale.ROOT));
        return List.of(ChartStyle.readable(cost), ChartStyle.readable(bands), bars);
    }

    private static XYSeries line(String name) {
        XYSeries s = new XYSeries(name);
        s.add(0, 1);
        s.add(1, 2);
        return s;
    }

    /** The colours a chart draws on its plot: each series, the title, axis labels and ticks, markers, value labels. */
    private static List<Named> drawnColours(JFreeChart chart) {
        List<Named> drawn = new ArrayList<>();
        for (ChartParts.Series s : ChartParts.series(chart.getPlot())) {
            for (int i = 0; i < s.count(); i++) {
                drawn.add(new Named("series " + i, fx(s.renderer().lookupSeriesPaint(i))));
            }
            drawn.add(new Named("value labels", fx(s.renderer().getDefaultItemLabelPaint())));
        }
        drawn.add(new Named("title", fx(chart.getTitle().getPaint())));
        for (Axis a : ChartParts.axes(chart.getPlot())) {
            drawn.add(new Named("axis label " + a.getLabel(), fx(a.getLabelPaint())));
            drawn.add(new Named("ticks of " + a.getLabel(), fx(a.getTickLabelPaint())));
        }
        ChartParts.markers(chart.getPlot()).forEach(m -> drawn.add(new Named("marker label", fx(m.getLabelPaint()))));
        drawn.add(new Named("no-data message", fx(chart.getPlot().getNoDataMessagePaint())));
        return drawn;
    }

    // ---- colours and their contrast

    /** A colour and what it is, for a failure's message. */
    record Named(String name, Color colour) {}

    /** The ratios checked, the failures among them and the lowest. */
    static final class Ratios {
        private final List<String> failures = new ArrayList<>();
        private String lowest = "";
        private double min = Double.MAX_VALUE;

        void check(Named text, Named background) {
            double r = contrast(text.colour(), background.colour());
            String pair = String.format(Locale.ROOT, "%s %s on %s %s: %.2f:1", text.name(), hex(text.colour()),
                    background.name(), hex(background.colour()), r);
            if (r < min) {
                min = r;
                lowest = pair;
            }
            if (r < MINIMUM) {
                failures.add(pair);
            }
        }

        void report(String look) {
            System.out.println("ContrastTest (" + look + ") lowest: " + lowest);
            assertThat(failures).as(look + ": text below " + MINIMUM + ":1").isEmpty();
        }
    }

    /** WCAG 2's contrast ratio of two opaque colours, 1 to 21. */
    static double contrast(Color a, Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    /** WCAG 2's relative luminance of an sRGB colour. */
    static double luminance(Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    private static double linear(double channel) {
        return channel <= 0.03928 ? channel / 12.92 : Math.pow((channel + 0.055) / 1.055, 2.4);
    }

    /** A translucent {@code top} painted over an opaque {@code bottom}. */
    static Color over(Color top, Color bottom) {
        double a = top.getOpacity();
        return new Color(top.getRed() * a + bottom.getRed() * (1 - a), top.getGreen() * a + bottom.getGreen() * (1 - a),
                top.getBlue() * a + bottom.getBlue() * (1 - a), 1);
    }

    static Color fx(Paint paint) {
        java.awt.Color c = (java.awt.Color) paint;
        return Color.rgb(c.getRed(), c.getGreen(), c.getBlue(), c.getAlpha() / 255.0);
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255), Math.round(c.getGreen() * 255),
                Math.round(c.getBlue() * 255));
    }

    // ---- the stylesheets

    /** A rule of a stylesheet: its selectors and declarations. */
    record Rule(String selectors, Map<String, String> declarations) {
        java.util.Optional<String> get(String property) {
            return java.util.Optional.ofNullable(declarations.get(property));
        }

        String name(String what) {
            return selectors + " " + what;
        }

        /** A stroked shape's fill (the popover's balloon) is a background; any other fill is text's. */
        boolean isShape() {
            return declarations.containsKey("-fx-stroke");
        }

        String textFill() {
            return isShape() ? "-fx-text-fill" : "-fx-fill";
        }

        String backgroundFill() {
            return isShape() ? "-fx-fill" : "-fx-background-color";
        }
    }

    /**
     * A theme as the app shows it: the theme's looked-up colours with scales.css's on top (and
     * presentation mode's), and the rules that apply of the app's stylesheets: scales.css (the
     * main window) and guide.css (the user guide's window).
     */
    record Look(Map<String, String> variables, List<List<Rule>> sheets) {
        static Look of(Theme theme, boolean presentation) throws IOException {
            List<Rule> app = rules(read(new URL(Theme.appStylesheet())));
            List<Rule> guide = rules(read(ContrastTest.class.getResource("/dev/scales/ui/help/guide.css")));
            List<Rule> sources = new ArrayList<>(rules(read(Theme.class.getResource(theme.stylesheet()))));
            sources.addAll(app);
            Map<String, String> variables = new LinkedHashMap<>();
            for (Rule r : sources) {
                if (r.selectors().equals(".root") || presentation && r.selectors().equals(".presentation")) {
                    r.declarations().forEach((k, v) -> {
                        if (k.startsWith("-") && !k.startsWith("-fx-")) {
                            variables.put(k, v);
                        }
                    });
                }
            }
            app.removeIf(r -> r.selectors().equals(".root") || !presentation && r.selectors().contains(".presentation"));
            return new Look(variables, List.of(app, guide));
        }

        /** A colour value, its looked-up names followed to the colour they stand for. */
        Color colour(String value) {
            String v = value.trim();
            for (int depth = 0; v.startsWith("-"); depth++) {
                String name = v;
                assertThat(depth).as("a cycle of looked-up colours at " + name).isLessThan(20);
                v = java.util.Objects.requireNonNull(variables.get(name), "no looked-up colour " + name).trim();
            }
            return Color.web(v);
        }

        /** The last (topmost) layer of a background of several, or transparent for none. */
        Color layer(String value) {
            String[] layers = value.split(",(?![^(]*\\))");
            String top = layers[layers.length - 1].trim();
            return top.equals("transparent") ? Color.TRANSPARENT : colour(top);
        }
    }

    private static final Pattern RULE = Pattern.compile("([^{}]+)\\{([^}]*)}");

    static List<Rule> rules(String css) {
        Matcher m = RULE.matcher(css.replaceAll("(?s)/\\*.*?\\*/", ""));
        List<Rule> rules = new ArrayList<>(); // modifiable: callers drop what does not apply
        while (m.find()) {
            Map<String, String> declarations = new LinkedHashMap<>();
            for (String d : m.group(2).split(";")) {
                int colon = d.indexOf(':');
                if (colon > 0) {
                    declarations.put(d.substring(0, colon).trim(), d.substring(colon + 1).trim());
                }
            }
            rules.add(new Rule(m.group(1).trim().replaceAll("\\s+", " "), declarations));
        }
        return rules;
    }

    private static String read(URL url) throws IOException {
        assertThat(url).as("stylesheet").isNotNull();
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
