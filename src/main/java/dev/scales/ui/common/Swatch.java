package dev.scales.ui.common;

import dev.scales.core.experiment.Charts;
import java.awt.Color;
import java.awt.Paint;
import java.util.List;
import java.util.Optional;

/**
 * The colours charts draw data in, each with a shade for each theme that reads on that theme's
 * chart background at 4.5:1 or more (ContrastTest): darker on light, lighter on dark. The first six
 * are the Okabe–Ito hues of the reports' palette ({@link Charts#PALETTE}), in its order, so a chart
 * drawn by {@code core} in those colours is recoloured hue for hue ({@link ChartTheme}).
 */
public enum Swatch {
    BLUE(0x0061a3, 0x58a6ff),
    VERMILLION(0xb54e00, 0xe8702a),
    GREEN(0x047857, 0x1fb58a),
    PURPLE(0xa8457f, 0xd98cb8),
    SKY(0x0e7490, 0x9ad8f8),
    ORANGE(0x8f5f00, 0xe69f00),
    /** The raw training loss behind its smoothed curve in {@link #BLUE}: fainter in either theme. */
    FAINT_BLUE(0x557599, 0x5a86b3),
    /** Earlier runs, newest first: the older, the fainter. */
    GREY_1(0x555555, 0xb1b1b1),
    GREY_2(0x666666, 0x969696),
    GREY_3(0x737373, 0x7f7f7f);

    /** The series colours in the reports' palette order. */
    public static final List<Swatch> SERIES = List.of(BLUE, VERMILLION, GREEN, PURPLE, SKY, ORANGE);
    /** Earlier runs, newest first. */
    public static final List<Swatch> EARLIER = List.of(GREY_1, GREY_2, GREY_3);

    private final Color light;
    private final Color dark;

    Swatch(int light, int dark) {
        this.light = new Color(light);
        this.dark = new Color(dark);
    }

    /** Its shade in {@code theme}. */
    public Color in(Theme theme) {
        return switch (theme) {
            case LIGHT -> light;
            case DARK -> dark;
        };
    }

    /** Its shade in the theme applied now. */
    public Color now() {
        return in(Theme.current());
    }

    /** The swatch {@code paint} is a shade of, in any theme or as the reports' palette draws it; empty for other paints. */
    static Optional<Swatch> of(Paint paint) {
        for (Swatch s : values()) {
            if (s.light.equals(paint) || s.dark.equals(paint)) {
                return Optional.of(s);
            }
        }
        int report = Charts.PALETTE.indexOf(paint);
        return report >= 0 && report < SERIES.size() ? Optional.of(SERIES.get(report)) : Optional.empty();
    }
}
