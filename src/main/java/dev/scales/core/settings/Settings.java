package dev.scales.core.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * What the app remembers between runs. Immutable; the {@code with…} methods return copies.
 *
 * @param window        the main window's last bounds, or null before the first run
 * @param lastModel     the folder of the last model loaded, or null for the bundled one
 * @param lastDevice    the last device chosen: {@code auto}, {@code cpu}, {@code gpu0}…
 * @param recentFiles   recently opened files, newest first, at most {@link #MAX_RECENT}
 * @param presentation  whether presentation mode (large fonts, high contrast) is on
 * @param tourSeen      whether the welcome tour is done with ("Don't show again", or seen to the end)
 * @param theme         the look chosen: {@code light} or {@code dark}; read by the UI, which treats a name
 *                      it does not know as light
 */
public record Settings(WindowBounds window, String lastModel, String lastDevice,
                       List<String> recentFiles, boolean presentation, boolean tourSeen, String theme) {
    public static final int MAX_RECENT = 10;

    public Settings {
        lastDevice = lastDevice == null || lastDevice.isBlank() ? "auto" : lastDevice;
        theme = theme == null || theme.isBlank() ? "light" : theme;
        recentFiles = recentFiles == null ? List.of()
                : List.copyOf(recentFiles.stream().filter(f -> f != null && !f.isBlank()).distinct()
                        .limit(MAX_RECENT).toList());
    }

    public static Settings defaults() {
        return new Settings(null, null, "auto", List.of(), false, false, "light");
    }

    public Settings withWindow(WindowBounds bounds) {
        return new Settings(bounds, lastModel, lastDevice, recentFiles, presentation, tourSeen, theme);
    }

    public Settings withLastModel(String folder) {
        return new Settings(window, folder, lastDevice, recentFiles, presentation, tourSeen, theme);
    }

    public Settings withLastDevice(String device) {
        return new Settings(window, lastModel, device, recentFiles, presentation, tourSeen, theme);
    }

    public Settings withPresentation(boolean on) {
        return new Settings(window, lastModel, lastDevice, recentFiles, on, tourSeen, theme);
    }

    public Settings withTheme(String name) {
        return new Settings(window, lastModel, lastDevice, recentFiles, presentation, tourSeen, name);
    }

    public Settings withTourSeen(boolean seen) {
        return new Settings(window, lastModel, lastDevice, recentFiles, presentation, seen, theme);
    }

    /** Puts {@code file} first in the recent files, dropping a duplicate and the oldest beyond the limit. */
    public Settings withRecentFile(String file) {
        List<String> files = new ArrayList<>();
        files.add(file);
        recentFiles.stream().filter(f -> !f.equals(file)).forEach(files::add);
        return new Settings(window, lastModel, lastDevice, files, presentation, tourSeen, theme);
    }

    /** A window's position and size; validated so a corrupt file cannot open an unusable window. */
    public record WindowBounds(double x, double y, double width, double height, boolean maximized) {
        public WindowBounds {
            if (!(width >= 200 && height >= 150 && width <= 100_000 && height <= 100_000)
                    || !Double.isFinite(x) || !Double.isFinite(y)) {
                throw new IllegalArgumentException("window bounds out of range: " + width + "x" + height
                        + " at " + x + "," + y);
            }
        }
    }
}
