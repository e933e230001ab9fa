package dev.scales.ui.common;

import java.util.Optional;
import javafx.beans.property.Property;
import javafx.beans.value.ObservableStringValue;
import javafx.beans.value.ObservableValue;
import org.controlsfx.control.PropertySheet;

/**
 * A PropertySheet row backed by a view-model property, and optionally by what is wrong with its
 * value ("" when nothing), for the editor to flag in place.
 */
public final class PropertyItem<T> implements PropertySheet.Item {
    private final Class<T> type;
    private final String category;
    private final String name;
    private final String description;
    private final Property<T> value;
    private final ObservableStringValue error;

    public PropertyItem(Class<T> type, String category, String name, String description, Property<T> value) {
        this(type, category, name, description, value, null);
    }

    public PropertyItem(Class<T> type, String category, String name, String description, Property<T> value,
                        ObservableStringValue error) {
        this.type = type;
        this.category = category;
        this.name = name;
        this.description = description;
        this.value = value;
        this.error = error;
    }

    /**
     * A sheet of {@code items} in their order, without the search box and the mode switcher, named
     * {@code name} for a screen reader (each field is named by its row's label).
     */
    public static PropertySheet sheet(String id, String name, java.util.List<PropertySheet.Item> items,
                                      double prefHeight) {
        PropertySheet sheet = new PropertySheet(javafx.collections.FXCollections.observableArrayList(items));
        sheet.setId(id);
        sheet.setAccessibleText(name);
        sheet.setModeSwitcherVisible(false);
        sheet.setSearchBoxVisible(false);
        sheet.setPrefHeight(prefHeight);
        return sheet;
    }

    /** The typed value's property. */
    public Property<T> property() {
        return value;
    }

    /** What is wrong with the value ("" when nothing), or null when the row is not checked. */
    public ObservableStringValue error() {
        return error;
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
        return value.getValue();
    }

    @Override
    public void setValue(Object v) {
        value.setValue(type.cast(v));
    }

    @Override
    public Optional<ObservableValue<? extends Object>> getObservableValue() {
        return Optional.of(value);
    }
}
