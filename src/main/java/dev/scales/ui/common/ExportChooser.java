package dev.scales.ui.common;

import java.nio.file.Path;
import java.util.function.Consumer;
import javafx.scene.Node;
import javafx.stage.FileChooser;

/** The save dialog of a chart's Export button: PNG or SVG for the chart, CSV for its numbers. */
public final class ExportChooser {
    private ExportChooser() {}

    public static void show(Node owner, String title, String initialName, Consumer<Path> export) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("PNG image", "*.png"),
                new FileChooser.ExtensionFilter("SVG image", "*.svg"),
                new FileChooser.ExtensionFilter("CSV table", "*.csv"));
        chooser.setInitialFileName(initialName);
        java.io.File f = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showSaveDialog(owner.getScene().getWindow()));
        if (f != null) {
            export.accept(f.toPath());
        }
    }
}
