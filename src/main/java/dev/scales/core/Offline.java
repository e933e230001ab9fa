package dev.scales.core;

/**
 * Keeps DJL from ever reaching the network. Called first thing by the app, the CLI and the
 * tests' JVM (Surefire sets the same properties), before any DJL class is touched.
 */
public final class Offline {
    private Offline() {}

    /** Sets the DJL switches that stop model-zoo, native-library and telemetry downloads. */
    public static void configure() {
        setIfAbsent("ai.djl.offline", "true");
        // The tokenizers jar registers a second engine; without this DJL may pick it as default.
        setIfAbsent("ai.djl.default_engine", "PyTorch");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    /** True when DJL runs in offline mode (the flag DJL itself reads). */
    public static boolean isOffline() {
        return Boolean.parseBoolean(System.getProperty("ai.djl.offline", "false"));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
