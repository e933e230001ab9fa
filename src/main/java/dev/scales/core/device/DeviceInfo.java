package dev.scales.core.device;

import java.util.Objects;

/**
 * A compute device the engine can run on.
 *
 * @param id          the DJL device id: {@code cpu} or {@code gpu0}, {@code gpu1}…
 * @param name        what the user sees, e.g. "CPU (2 cores)" or "GPU 0 (CUDA 12.8)"
 * @param totalBytes  total memory of the device, or -1 where the engine does not report it
 * @param freeBytes   free memory of the device, or -1 where the engine does not report it
 */
public record DeviceInfo(String id, String name, long totalBytes, long freeBytes) {
    public DeviceInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
    }

    public boolean isGpu() {
        return id.startsWith("gpu");
    }

    @Override
    public String toString() {
        return name;
    }
}
