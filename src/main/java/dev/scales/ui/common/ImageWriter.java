package dev.scales.ui.common;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Draws a chart for a file now, on the thread that owns the chart, and returns what writes the
 * drawing (encoding and disk), which may run on any thread: how a view model exports a chart it
 * does not own without holding the UI up.
 */
@FunctionalInterface
public interface ImageWriter {
    UiThread.FileWork draw(Path file) throws IOException;
}
