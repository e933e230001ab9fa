package dev.scales.core.util;

import java.util.Locale;

/** Durations for people. */
public final class Durations {
    private Durations() {}

    /** A wall-clock time: {@code 9:58}, or {@code 1:02:03} from an hour on. */
    public static String clock(long millis) {
        long s = millis / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
