package dev.scales.ui.help;

import dev.scales.ui.common.Presentation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * The user guide in a window of its own. The build copies docs/USER-GUIDE.md into the jar beside
 * this class, so an installed app, which has no docs/ folder, shows it too.
 */
public final class GuideWindow {
    static final String RESOURCE = "USER-GUIDE.md";

    private final ObservableBooleanValue presentation;
    private Stage stage;

    /** A guide window whose type follows {@code presentation} (presentation mode), as the main window's does. */
    public GuideWindow(ObservableBooleanValue presentation) {
        this.presentation = presentation;
    }

    /** Opens the guide beside {@code owner}, or brings it to the front when it is open already. */
    public void show(Window owner) {
        if (stage == null) {
            stage = new Stage();
            stage.setTitle("Scales — user guide");
            if (owner instanceof Stage main) {
                stage.getIcons().setAll(main.getIcons());
            }
            if (owner != null) {
                stage.initOwner(owner); // closes with the main window
            }
            GuideView view = new GuideView(text());
            Presentation.apply(view, presentation.get());
            presentation.addListener((obs, old, on) -> Presentation.apply(view, on));
            stage.setScene(new Scene(view, 820, 760));
        }
        stage.show();
        stage.toFront();
    }

    /** The guide's Markdown, or a line saying it is missing from this build. */
    static String text() {
        try (InputStream in = GuideWindow.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // Reported below like a missing file.
        }
        return "# User guide\n\nThe guide is missing from this build of Scales; it is docs/USER-GUIDE.md in the "
                + "source.";
    }
}
