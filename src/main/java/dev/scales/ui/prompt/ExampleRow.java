package dev.scales.ui.prompt;

import dev.scales.core.prompt.Example;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** An editable row of the examples table, convertible to and from the core {@link Example}. */
public final class ExampleRow {
    private final StringProperty input = new SimpleStringProperty(this, "input", "");
    private final StringProperty output = new SimpleStringProperty(this, "output", "");
    private final BooleanProperty enabled = new SimpleBooleanProperty(this, "enabled", true);

    public ExampleRow(Example e) {
        input.set(e.input());
        output.set(e.output());
        enabled.set(e.enabled());
    }

    public Example toExample() {
        return new Example(input.get(), output.get(), enabled.get());
    }

    public StringProperty inputProperty() {
        return input;
    }

    public StringProperty outputProperty() {
        return output;
    }

    public BooleanProperty enabledProperty() {
        return enabled;
    }
}
