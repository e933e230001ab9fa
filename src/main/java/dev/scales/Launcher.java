package dev.scales;

import dev.scales.cli.ScalesCommand;
import dev.scales.core.Offline;
import dev.scales.ui.ScalesApp;

/**
 * Entry point of the jar: no arguments opens the app, anything else is a command. A plain
 * class (not the {@code Application}) so a fat jar on the class path can start JavaFX.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (NativeEnvironment.wanted()) {
            System.exit(NativeEnvironment.relaunch(Launcher.class, args));
        }
        Offline.configure();
        if (args.length == 0) {
            ScalesApp.launch(ScalesApp.class, args);
        } else {
            System.exit(ScalesCommand.execute(args));
        }
    }
}
