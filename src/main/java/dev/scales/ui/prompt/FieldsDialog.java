package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;

/** Asks which of a test set's fields holds the input and which the label (or expected answer). */
final class FieldsDialog extends Dialog<LabelledData.Fields> {
    FieldsDialog(Path file, List<String> fields) {
        setTitle("Map the fields of " + file.getFileName());
        setHeaderText("Which field is the input, and which the label or expected answer?");
        ComboBox<String> input = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(fields));
        input.setId("input-field");
        input.getSelectionModel().select(0);
        ComboBox<String> label = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(fields));
        label.setId("label-field");
        label.getSelectionModel().select(Math.min(1, fields.size() - 1));
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("Input"), input);
        grid.addRow(1, new Label("Label / answer"), label);
        getDialogPane().setContent(grid);
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        getDialogPane().lookupButton(ButtonType.OK).disableProperty()
                .bind(input.valueProperty().isEqualTo(label.valueProperty()));
        setResultConverter(b -> b == ButtonType.OK
                ? new LabelledData.Fields(input.getValue(), label.getValue()) : null);
    }
}
