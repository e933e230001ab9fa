package dev.scales.core;

/**
 * An error the user can act on: its message names what went wrong and where (file, line,
 * tensor). Core throws it for bad input; the UI and CLI show the message as it is.
 */
public class ScalesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScalesException(String message) {
        super(message);
    }

    public ScalesException(String message, Throwable cause) {
        super(message, cause);
    }
}
