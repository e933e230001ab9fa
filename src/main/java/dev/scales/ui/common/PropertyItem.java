package dev.scales.ui.common;

import java.util.Optional;
import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableValue;
import org.controlsfx.control.PropertySheet;

/** A PropertySheet row backed by a view-model property. */
public final class PropertyItem<T> implements PropertySheet.Item {
    private final Class<T> type;
    private final String category;
    private final String name;
    private final String description;
    private final ObjectProperty<T> value;

    public PropertyItem(Class<T> type, String category, String name, String description, ObjectProperty<T> value) {
        this.type = type;
        this.category = category;
        this.name = name;
        this.description = description;
        this.value = value;
    }

    @Override
    public Class<?> getType() {
        return type;
    }

    @Override
    public String getCategory() {
        return category;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getDescription() {
        return description;
    }

    @Override
    public Object getValue() {
        return value.get();
    }

    @Override
    public void setValue(Object v) {
        value.set(type.cast(v));
    }

    @Override
    public Optional<ObservableValue<? extends Object>> getObservableValue() {
        return Optional.of(value);
    }
}
