package dev.scales.ui.compare;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The compare view: fine-tuning and in-context learning side by side on one test set. */
public final class CompareView extends VBox {
    public CompareView(CompareViewModel vm) {
        setId("compare-view");
        getStyleClass().add("lab-pane");
        setSpacing(12);
        setPadding(new Insets(16));
        Label title = new Label("Compare · fine-tuning vs in-context learning");
        title.getStyleClass().add("pane-title");
        Label guidance = new Label();
        guidance.setWrapText(true);
        guidance.getStyleClass().add("muted");
        guidance.textProperty().bind(vm.guidanceProperty());

        GridPane grid = new GridPane();
        grid.setId("compare-grid");
        grid.setHgap(10);
        grid.setVgap(10);
        ColumnConstraints head = new ColumnConstraints(110);
        ColumnConstraints col = new ColumnConstraints(180, 260, Double.MAX_VALUE);
        col.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().addAll(head, col, new ColumnConstraints(180, 260, Double.MAX_VALUE));
        grid.add(header("Zero-shot"), 1, 0);
        grid.add(header("Few-shot"), 2, 0);
        grid.add(header("Base model"), 0, 1);
        grid.add(header("Fine-tuned"), 0, 2);
        for (int i = 0; i < 4; i++) {
            grid.add(cell(vm.cells().get(i)), 1 + i % 2, 1 + i / 2);
        }
        getChildren().addAll(title, guidance, grid);
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("grid-header");
        return l;
    }

    private static VBox cell(CompareViewModel.Cell cell) {
        Label value = new Label();
        value.getStyleClass().add("cell-value");
        value.textProperty().bind(cell.valueProperty());
        Label detail = new Label();
        detail.getStyleClass().add("muted");
        detail.textProperty().bind(cell.detailProperty());
        VBox box = new VBox(4, value, detail);
        box.setAlignment(Pos.CENTER);
        box.getStyleClass().add("compare-cell");
        box.setMinHeight(110);
        box.setAccessibleText(cell.model() + ", " + cell.prompting());
        return box;
    }
}
