package dev.scales.core.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The memory this machine has available now. */
public final class SystemMemory {
    private SystemMemory() {}

    /** Bytes available to a new allocation: Linux's MemAvailable, else the JVM's view of free memory; -1 when unknown. */
    public static long available() {
        Path meminfo = Path.of("/proc/meminfo");
        try {
            if (Files.isReadable(meminfo)) {
                for (String line : Files.readAllLines(meminfo)) {
                    if (line.startsWith("MemAvailable:")) {
                        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the JVM's view
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return -1;
    }
}
