package dev.scales.ui.common;

import dev.scales.core.ScalesException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the user reads when background work fails. */
public final class Errors {
    private Errors() {}

    /** A core error's own message (it names what and where); anything else with its type. */
    public static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.util.concurrent.CancellationException) {
            return "cancelled";
        }
        return t instanceof ScalesException ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
