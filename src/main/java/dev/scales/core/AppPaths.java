package dev.scales.core;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where Scales finds its own files and keeps the user's. */
public final class AppPaths {
    private AppPaths() {}

    /**
     * The installation folder holding {@code assets/} and {@code sample-data/}: the
     * {@code scales.home} property when set, else the folder above {@code target/} when run
     * from a build (jar or classes), else the working directory.
     */
    public static Path home() {
        String prop = System.getProperty("scales.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        try {
            Path code = Path.of(AppPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("assets"))) {
                    return p;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // Fall through to the working directory.
        }
        return Path.of("").toAbsolutePath();
    }

    /** The bundled model's folder: {@code assets/models/scales-tiny} under {@link #home()}. */
    public static Path bundledModel() {
        return home().resolve("assets").resolve("models").resolve("scales-tiny");
    }

    /**
     * The user's configuration folder: {@code scales.config.dir} when set (tests point it
     * into {@code target/}), else {@code $XDG_CONFIG_HOME/scales}, else {@code ~/.config/scales}.
     */
    public static Path configDir() {
        String prop = System.getProperty("scales.config.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("scales");
    }

    /**
     * Where the app keeps what it makes (fine-tuning runs and their checkpoints):
     * {@code scales.data.dir} when set (tests point it into {@code target/}), else
     * {@code $XDG_DATA_HOME/scales}, else {@code ~/.local/share/scales}.
     */
    public static Path dataDir() {
        String prop = System.getProperty("scales.data.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("scales");
    }
}
