package dev.scales.core.device;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import dev.scales.core.ScalesException;
import dev.scales.core.model.ModelSummary;
import dev.scales.core.util.Bytes;
import dev.scales.core.util.SystemMemory;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Refuses to load a model that will not fit, before any weight is read: what it needs (its
 * weights in F32 plus room to run), what the device has free, and what to try instead.
 */
public final class MemoryCheck {
    /** Weights plus a quarter for activations, the KV cache and the tokenizer. */
    static final double HEADROOM = 1.25;

    private final LongSupplier freeCpuBytes;
    private final LongSupplier directHeadroomBytes;

    public MemoryCheck(LongSupplier freeCpuBytes, LongSupplier directHeadroomBytes) {
        this.freeCpuBytes = freeCpuBytes;
        this.directHeadroomBytes = directHeadroomBytes;
    }

    /** The machine's own numbers: MemAvailable (or the JVM's view of free memory) and the direct-buffer limit. */
    public static MemoryCheck system() {
        return new MemoryCheck(SystemMemory::available, MemoryCheck::directHeadroom);
    }

    /** Bytes needed to load and run {@code model}. */
    public static long needed(ModelSummary model) {
        return (long) (model.weightBytes() * HEADROOM);
    }

    public void require(ModelSummary model, Device device) {
        require(model, device, List.of());
    }

    /**
     * As {@link #require(ModelSummary, Device)}, where {@code loadedThere} names the models already
     * loaded on that device: unloading one of them is what the refusal suggests first.
     */
    public void require(ModelSummary model, Device device, List<String> loadedThere) {
        long need = needed(model);
        String unload = loadedThere.isEmpty() ? "" : "unload a model loaded there (" + String.join("; ", loadedThere)
                + "), ";
        if (device.isGpu()) {
            long free = gpuFree(device);
            if (free >= 0 && need > free) {
                throw new ScalesException(refusal(model, need, free, "GPU " + device.getDeviceId(),
                        unload + "load it on the CPU, fine-tune with LoRA, or choose a smaller model"));
            }
            return;
        }
        long free = freeCpuBytes.getAsLong();
        if (free >= 0 && need > free) {
            throw new ScalesException(refusal(model, need, free, "this machine",
                    unload + "close other programs, or choose a smaller model"));
        }
        long direct = directHeadroomBytes.getAsLong();
        if (model.weightBytes() > direct) {
            throw new ScalesException(model.name() + " needs " + Bytes.format(model.weightBytes())
                    + " for its weights but Java may hold only " + Bytes.format(direct)
                    + " of native buffers; start the app with a larger -Xmx or -XX:MaxDirectMemorySize");
        }
    }

    /** Bytes free on {@code device} now (for a GPU: its memory, else the machine's); -1 when unknown. */
    public long free(Device device) {
        return device.isGpu() ? gpuFree(device) : freeCpuBytes.getAsLong();
    }

    /** Auto: the first GPU with room for the model, else the CPU. */
    public Device autoDevice(ModelSummary model, int gpuCount) {
        long need = needed(model);
        for (int i = 0; i < gpuCount; i++) {
            long free = gpuFree(Device.gpu(i));
            if (free < 0 || free >= need) {
                return Device.gpu(i);
            }
        }
        return Device.cpu();
    }

    private static String refusal(ModelSummary m, long need, long free, String where, String tryInstead) {
        return m.name() + " needs about " + Bytes.format(need) + " (" + Bytes.count(m.parameterCount())
                + " parameters in F32, plus room to run) but " + where + " has " + Bytes.format(free)
                + " free; " + tryInstead;
    }

    /** The direct-buffer limit (-XX:MaxDirectMemorySize, by default the heap limit) minus what is in use. */
    static long directHeadroom() {
        long max = Runtime.getRuntime().maxMemory();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxDirectMemorySize=")) {
                max = parseSize(arg.substring(arg.indexOf('=') + 1));
            }
        }
        long used = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getMemoryUsed)
                .sum();
        return max - used;
    }

    static long parseSize(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = v.endsWith("g") ? 1L << 30 : v.endsWith("m") ? 1L << 20 : v.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
    }

    private static long gpuFree(Device device) {
        try {
            var usage = CudaUtils.getGpuMemory(device);
            return usage.getMax() - usage.getCommitted();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return -1;
        }
    }
}
