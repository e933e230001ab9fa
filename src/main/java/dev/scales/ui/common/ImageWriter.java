package dev.scales.ui.common;

import java.io.IOException;
import java.nio.file.Path;

/** Writes a chart image to a file: how a view model exports a chart it does not own. */
@FunctionalInterface
public interface ImageWriter {
    void write(Path file) throws IOException;
}
