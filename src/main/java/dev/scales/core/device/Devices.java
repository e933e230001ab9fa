package dev.scales.core.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;

/** Finds the CPU and every CUDA GPU the PyTorch engine sees. */
public final class Devices {
    private Devices() {}

    /** The CPU first, then each GPU in CUDA order with its memory where reported. */
    public static List<DeviceInfo> discover(Engine engine) {
        List<DeviceInfo> found = new ArrayList<>();
        found.add(new DeviceInfo("cpu", "CPU (" + Runtime.getRuntime().availableProcessors() + " cores)",
                physicalMemoryBytes(), -1));
        int gpus = engine.getGpuCount();
        for (int i = 0; i < gpus; i++) {
            long total = -1;
            long free = -1;
            try {
                MemoryUsage usage = CudaUtils.getGpuMemory(Device.gpu(i));
                total = usage.getMax();
                free = usage.getMax() - usage.getCommitted();
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                // The engine sees the GPU but the CUDA runtime does not report memory: leave -1.
            }
            found.add(new DeviceInfo("gpu" + i, "GPU " + i + cudaSuffix(), total, free));
        }
        return List.copyOf(found);
    }

    /**
     * The device named by {@code id}: {@code cpu}, {@code gpu0}…, or {@code auto} (the first GPU
     * when there is one, else the CPU). An unknown or absent device is an error naming it.
     */
    public static Device resolve(String id, Engine engine) {
        return resolve(id, engine.getGpuCount());
    }

    /** As {@link #resolve(String, Engine)}, with {@code gpus} GPUs visible. */
    static Device resolve(String id, int gpus) {
        String key = id == null ? "auto" : id.trim().toLowerCase(java.util.Locale.ROOT);
        if (key.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        if (key.equals("cpu")) {
            return Device.cpu();
        }
        if (key.matches("(gpu|cuda):?\\d+")) {
            int n = Integer.parseInt(key.replaceAll("\\D", ""));
            if (n >= gpus) {
                throw new dev.scales.core.ScalesException("device " + id + " is not available: the engine sees "
                        + (gpus == 0 ? "no GPU (see README: Using a GPU)" : gpus + " GPU(s), gpu0 to gpu" + (gpus - 1)));
            }
            return Device.gpu(n);
        }
        throw new dev.scales.core.ScalesException("unknown device '" + id + "': use auto, cpu, gpu0, gpu1…");
    }

    /** The id of {@code d} as {@link #resolve} reads it and {@link #discover} lists it: {@code cpu}, {@code gpu0}… */
    public static String id(Device d) {
        return d.isGpu() ? "gpu" + d.getDeviceId() : "cpu";
    }

    /** The name of {@code d} in the app's words ("CPU", "GPU 0"…): its worker's, and the key of the memory accounted on it. */
    static String name(Device d) {
        return d.isGpu() ? "GPU " + d.getDeviceId() : "CPU";
    }

    private static String cudaSuffix() {
        try {
            return CudaUtils.hasCuda() ? " (CUDA " + CudaUtils.getCudaVersionString() + ")" : "";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "";
        }
    }

    /** Physical memory of this machine, or -1 where the JVM does not expose it. */
    static long physicalMemoryBytes() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return -1;
    }
}
