package dev.scales.ui.common;

import dev.scales.core.ScalesException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import javafx.stage.Modality;
import javafx.stage.Window;
import org.controlsfx.dialog.ExceptionDialog;

/**
 * What the user reads when background work fails. Every failure is told inline, where the work was
 * asked for; one that is not the user's to fix (a fault in Scales or its engine) is also handed to
 * the listener the main window installs, which shows its details.
 */
public final class Errors {
    /** The style class of error text (scales.css: the theme's danger colour, red in either theme). */
    public static final String STYLE_CLASS = "error-text";

    private static volatile Consumer<Throwable> unexpected = t -> { };

    private Errors() {}

    /**
     * A core error's own message (it names what and where); anything else with its type, and
     * handed to the {@linkplain #onUnexpected listener} as well.
     */
    public static String message(Throwable e) {
        Throwable t = cause(e);
        if (t instanceof CancellationException) {
            return "cancelled";
        }
        if (!expected(t)) {
            unexpected.accept(t);
        }
        return t instanceof ScalesException ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Whether {@code e} tells that the work was cancelled (by the user: nothing to report). */
    public static boolean isCancellation(Throwable e) {
        return cause(e) instanceof CancellationException;
    }

    /**
     * The status line after saving {@code what} ("the losses") to {@code file}: saved, cancelled
     * (the file left as it was), or why not; {@code e} is the write's error, null when none.
     */
    public static String saving(Exception e, String what, java.nio.file.Path file) {
        if (e == null) {
            return "saved " + what + " to " + file.getFileName();
        }
        return isCancellation(e) ? "cancelled saving " + what + "; " + file.getFileName() + " is left as it was"
                : "could not save " + what + " to " + file + ": " + message(e);
    }

    private static Throwable cause(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * A bad value or file, or a file that cannot be read or written: the inline message
     * says all there is to say.
     */
    private static boolean expected(Throwable t) {
        return t instanceof ScalesException || t instanceof IOException || t instanceof UncheckedIOException;
    }

    /** Who hears of the unexpected failures {@link #message} sees: the last one set. */
    public static void onUnexpected(Consumer<Throwable> listener) {
        unexpected = java.util.Objects.requireNonNull(listener);
    }

    /**
     * A dialog with the failure's message and its stack trace, owned by {@code owner}; shown, never
     * waited on, so nothing stops behind it.
     */
    public static void showDetails(Window owner, Throwable t) {
        ExceptionDialog dialog = new ExceptionDialog(t);
        dialog.initModality(Modality.NONE);
        dialog.setTitle("Scales: something went wrong");
        dialog.setHeaderText(t.getClass().getSimpleName() + ": " + t.getMessage());
        dialog.setContentText("This is a fault in Scales or its engine, not in what you gave it; the app goes on. "
                + "The details below help to report it.");
        dialog.getDialogPane().setId("failure-details");
        if (owner != null) {
            dialog.initOwner(owner);
        }
        dialog.show();
    }

    /** Shows {@code node}'s text as error text while {@code value} is {@code failed}. */
    public static <T> void styleWhen(javafx.scene.Node node, javafx.beans.value.ObservableValue<T> value,
                                     java.util.function.Predicate<? super T> failed) {
        javafx.beans.value.ChangeListener<T> update = (obs, was, now) -> {
            node.getStyleClass().remove(STYLE_CLASS);
            if (failed.test(now)) {
                node.getStyleClass().add(STYLE_CLASS);
            }
        };
        value.addListener(update);
        update.changed(value, null, value.getValue());
    }
}
