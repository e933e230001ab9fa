package dev.scales.core;

/**
 * A setting's value out of range. The message names the setting in words ("temperature must be
 * …"); {@link #setting()} says which it is, so a command line can add its flag and a form can mark
 * its field without reading the message.
 */
public class InvalidSetting extends ScalesException {
    private static final long serialVersionUID = 1L;
    private final Enum<?> setting;

    public InvalidSetting(Enum<?> setting, String message) {
        super(message);
        this.setting = setting;
    }

    public Enum<?> setting() {
        return setting;
    }
}
