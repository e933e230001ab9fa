package dev.scales.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;
import javax.imageio.ImageIO;

/** Saves a PNG of a node under target/snapshots so a person can look at what a test saw. */
public final class Snapshots {
    private Snapshots() {}

    /** Must run on the FX thread. Returns the file written. */
    public static Path save(Node node, String name) throws IOException {
        WritableImage image = node.snapshot(null, null);
        Path dir = Path.of("target", "snapshots");
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".png");
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", file.toFile());
        return file;
    }
}
