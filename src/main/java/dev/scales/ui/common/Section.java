package dev.scales.ui.common;

import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** A titled group of controls inside a pane. */
public final class Section {
    private Section() {}

    public static VBox of(String title, Node... content) {
        Label label = new Label(title);
        label.getStyleClass().add("section-title");
        VBox box = new VBox(4, label);
        box.getChildren().addAll(content);
        return box;
    }
}
