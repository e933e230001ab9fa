package dev.scales.ui.common;

import java.util.Locale;
import javafx.scene.Parent;

/**
 * Ctrl+plus and Ctrl+minus: the window's type larger or smaller, in steps, on top of normal or
 * presentation type (13 or 20 px); Ctrl+0 goes back. Text and controls sized in ems follow.
 */
public final class Zoom {
    /** The steps, as factors of the body text. */
    static final double[] STEPS = {0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0};
    private static final int NORMAL = 2;
    private static final String KEY = "scales.zoom";

    private Zoom() {}

    public static void in(Parent root) {
        set(root, Math.min(STEPS.length - 1, step(root) + 1));
    }

    public static void out(Parent root) {
        set(root, Math.max(0, step(root) - 1));
    }

    public static void reset(Parent root) {
        set(root, NORMAL);
    }

    /** The factor now applied to the body text. */
    public static double factor(Parent root) {
        return STEPS[step(root)];
    }

    /** Sets the root's type for the current step; called again when presentation mode changes the base. */
    public static void apply(Parent root) {
        int step = step(root);
        if (step == NORMAL) {
            root.setStyle("");
        } else {
            double base = root.getStyleClass().contains(Presentation.STYLE_CLASS) ? 20 : 13;
            root.setStyle(String.format(Locale.ROOT, "-fx-font-size: %.1fpx;", base * STEPS[step]));
        }
    }

    private static int step(Parent root) {
        return root.getProperties().get(KEY) instanceof Integer i ? i : NORMAL;
    }

    private static void set(Parent root, int step) {
        root.getProperties().put(KEY, step);
        apply(root);
    }
}
