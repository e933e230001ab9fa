package dev.scales.ui.common;

import javafx.scene.Node;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** A titled group of controls inside a pane. */
public final class Section {
    private Section() {}

    /**
     * {@code content} under {@code title}; when the first node is a control (a text area, a table, a
     * list), the title is its label, the name a screen reader reads for it.
     */
    public static VBox of(String title, Node... content) {
        Label label = new Label(title);
        label.getStyleClass().add("section-title");
        if (content.length > 0 && content[0] instanceof Control first) {
            label.setLabelFor(first);
        }
        VBox box = new VBox(4, label);
        box.getChildren().addAll(content);
        return box;
    }
}
