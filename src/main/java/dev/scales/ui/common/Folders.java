package dev.scales.ui.common;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

/**
 * Where file dialogs open: the folder last used in any of them this session, else the sample data
 * that comes with the app (so a first Evaluate… or Open dataset… lands where the examples are),
 * else the home folder.
 */
public final class Folders {
    private static volatile Path last;

    private Folders() {}

    /** The folder a dialog opens in now. */
    public static Path initial() {
        Path l = last;
        if (l != null && Files.isDirectory(l)) {
            return l;
        }
        Path samples = dev.scales.core.AppPaths.home().resolve("sample-data");
        return Files.isDirectory(samples) ? samples : Path.of(System.getProperty("user.home"));
    }

    /**
     * Opens {@code chooser} beside {@code near} when that file still exists, else where it was told
     * to open, else in {@link #initial()}.
     */
    public static FileChooser at(FileChooser chooser, Path near) {
        if (near != null && Files.isRegularFile(near) && near.toAbsolutePath().getParent() != null) {
            chooser.setInitialDirectory(near.toAbsolutePath().getParent().toFile());
            chooser.setInitialFileName(near.getFileName().toString());
        } else if (chooser.getInitialDirectory() == null) {
            chooser.setInitialDirectory(initial().toFile());
        }
        return chooser;
    }

    public static FileChooser at(FileChooser chooser) {
        return at(chooser, null);
    }

    /** Opens {@code chooser} where it was told to open, else in {@link #initial()}. */
    public static DirectoryChooser at(DirectoryChooser chooser) {
        if (chooser.getInitialDirectory() == null) {
            chooser.setInitialDirectory(initial().toFile());
        }
        return chooser;
    }

    /** Remembers where a chosen file (or folder) is, for the next dialog; returns it. */
    public static File used(File chosen) {
        if (chosen != null) {
            Path p = chosen.toPath().toAbsolutePath();
            last = p.getParent() != null ? p.getParent() : p; // a chosen folder: next time, beside it
        }
        return chosen;
    }
}
