package dev.scales.core.util;

import java.util.Locale;

/** Human-readable sizes and counts for messages and labels. */
public final class Bytes {
    private Bytes() {}

    /** 1536 → "1.5 KB", 3_200_000_000 → "3.0 GB" (powers of 1024, one decimal). */
    public static String format(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** 124_439_808 → "124.4M", 3_200 → "3.2K", 512 → "512". */
    public static String count(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fK", n / 1e3);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fB", n / 1e9);
    }
}
