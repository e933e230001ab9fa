package dev.scales.core.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory this process holds. Tensors live in native memory outside the Java heap, so the
 * resident set size (from {@code /proc/self/status}) is the number that matters; where the OS
 * does not offer it, the Java heap in use stands in.
 */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Resident set size in bytes, or the used Java heap where RSS is unavailable. */
    public static long residentBytes() {
        long rss = readStatusKb("VmRSS:");
        if (rss >= 0) {
            return rss * 1024;
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Peak resident set size in bytes, or -1 where the OS does not report it. */
    public static long peakResidentBytes() {
        long hwm = readStatusKb("VmHWM:");
        return hwm >= 0 ? hwm * 1024 : -1;
    }

    private static long readStatusKb(String key) {
        if (!Files.isReadable(STATUS)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(key)) {
                    String digits = line.substring(key.length()).replace("kB", "").trim();
                    return Long.parseLong(digits);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
