package dev.scales.ui.common;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** What a pane shows when it has nothing yet: a title and what to do next. */
public final class EmptyState extends VBox {
    public EmptyState(String title, String nextStep) {
        Label heading = new Label(title);
        heading.getStyleClass().add("empty-title");
        Label hint = new Label(nextStep);
        hint.getStyleClass().add("empty-hint");
        hint.setWrapText(true);
        getChildren().addAll(heading, hint);
        getStyleClass().add("empty-state");
        setAlignment(Pos.CENTER);
        setSpacing(6);
        setFillWidth(false);
        hint.setMaxWidth(420);
        hint.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // all its lines, never cut short
    }
}
