package dev.scales.ui.help;

import dev.scales.core.device.EnvironmentInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.control.Alert;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.stage.Modality;
import javafx.stage.Window;

/** About Scales: its version, what it runs on, where its native library and models are, and its licence. */
public final class AboutBox {
    private AboutBox() {}

    /**
     * The facts, one row each; {@code env} is what the engine reported when it started (null while
     * it starts, or when it could not: the engine's rows say so).
     */
    static List<String[]> rows(EnvironmentInfo env) {
        String waiting = "not started yet";
        String scales = env != null ? env.scalesVersion() : versionOf(AboutBox.class.getPackage());
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Scales", scales});
        rows.add(new String[] {"Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"});
        rows.add(new String[] {"JavaFX", System.getProperty("javafx.runtime.version", "unknown")});
        rows.add(new String[] {"DJL", env != null ? env.djlVersion() : waiting});
        rows.add(new String[] {env != null ? env.engineName() : "PyTorch", env != null ? env.engineVersion() : waiting});
        rows.add(new String[] {"Decoding", env != null ? env.decoding() : waiting});
        rows.add(new String[] {"Offline", env == null ? waiting : env.offline() ? "yes: nothing is downloaded"
                : "no: the engine may download"});
        rows.add(new String[] {"Native library", env != null ? String.valueOf(env.nativeCacheDir()) : waiting});
        rows.add(new String[] {"Models looked for in", env == null ? waiting
                : String.join("\n", env.modelRoots().stream().map(Path::toString).toList())});
        rows.add(new String[] {"Licence", "Apache-2.0"});
        return rows;
    }

    private static String versionOf(Package p) {
        return p == null || p.getImplementationVersion() == null ? "dev" : p.getImplementationVersion();
    }

    /** Shows the box (not waited on: the app goes on behind it). */
    public static void show(Window owner, EnvironmentInfo env) {
        GridPane grid = new GridPane();
        grid.setId("about");
        grid.setHgap(16);
        grid.setVgap(6);
        List<String[]> rows = rows(env);
        for (int i = 0; i < rows.size(); i++) {
            Label name = new Label(rows.get(i)[0]);
            name.setStyle("-fx-font-weight: bold");
            name.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // names are never cut to "…"
            Label value = new Label(rows.get(i)[1]);
            value.setWrapText(true); // long values (paths, the decoding line) wrap instead
            value.setMaxWidth(520);
            value.setId("about-" + rows.get(i)[0].toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
            grid.addRow(i, name, value);
        }
        Alert about = new Alert(Alert.AlertType.INFORMATION);
        about.initModality(Modality.NONE);
        about.setTitle("About Scales");
        about.setHeaderText("Scales — fine-tuning vs in-context learning, offline");
        about.getDialogPane().setContent(grid);
        if (owner != null) {
            about.initOwner(owner);
        }
        about.show();
    }
}
