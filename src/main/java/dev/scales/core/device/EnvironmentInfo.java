package dev.scales.core.device;

import ai.djl.engine.Engine;
import ai.djl.util.Utils;
import dev.scales.core.Offline;
import dev.scales.core.model.ModelLocations;
import dev.scales.core.model.nn.BlasDecode;
import java.nio.file.Path;
import java.util.List;

/**
 * What this installation runs on: versions, the engine, the devices it sees and where models
 * are looked for, what decodes tokens. Loading the engine happens here, offline.
 */
public record EnvironmentInfo(String scalesVersion, String javaVersion, String djlVersion, String engineName,
                              String engineVersion, boolean offline, Path nativeCacheDir,
                              List<DeviceInfo> devices, List<Path> modelRoots, String decoding) {
    public EnvironmentInfo {
        devices = List.copyOf(devices);
        modelRoots = List.copyOf(modelRoots);
    }

    /** Starts the PyTorch engine (offline) and reports on it. */
    public static EnvironmentInfo collect() {
        Offline.configure();
        Engine engine = Engine.getEngine("PyTorch");
        String version = EnvironmentInfo.class.getPackage().getImplementationVersion();
        return new EnvironmentInfo(version == null ? "dev" : version, System.getProperty("java.version"),
                Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(), Offline.isOffline(),
                Utils.getEngineCacheDir("pytorch"), Devices.discover(engine),
                ModelLocations.standard().roots(), BlasDecode.describe());
    }
}
