package dev.scales.ui.common;

import dev.scales.core.ScalesException;
import dev.scales.core.data.LabelledData;
import java.nio.file.Path;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;

/**
 * Asks which of a dataset's fields holds the input and which the label (or expected answer), and
 * optionally what the label values stand for ("0=negative, 1=positive").
 */
public final class FieldsDialog extends Dialog<LabelledData.Fields> {
    /** @param initial the fields to start from (a guess), or null for the first two */
    public FieldsDialog(Path file, List<String> fields, LabelledData.Fields initial) {
        setTitle("Map the fields of " + file.getFileName());
        setHeaderText("Which field is the input, and which the label or expected answer?");
        ComboBox<String> input = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(fields));
        input.setId("input-field");
        input.setAccessibleText("Input field");
        ComboBox<String> label = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(fields));
        label.setId("label-field");
        label.setAccessibleText("Label field");
        if (initial != null && fields.contains(initial.input()) && fields.contains(initial.label())) {
            input.getSelectionModel().select(initial.input());
            label.getSelectionModel().select(initial.label());
        } else {
            input.getSelectionModel().select(0);
            label.getSelectionModel().select(Math.min(1, fields.size() - 1));
        }
        TextField names = new TextField(initial == null ? "" : initial.labelNamesText());
        names.setId("label-names");
        names.setAccessibleText("Label names");
        names.setPromptText("optional, e.g. 0=negative, 1=positive");
        Label error = new Label();
        error.getStyleClass().add("error-text");
        error.textProperty().bind(Bindings.createStringBinding(() -> {
            try {
                LabelledData.Fields.parseLabelNames(names.getText());
                return "";
            } catch (ScalesException e) {
                return e.getMessage();
            }
        }, names.textProperty()));
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("Input"), input);
        grid.addRow(1, new Label("Label / answer"), label);
        grid.addRow(2, new Label("Label names"), names);
        grid.add(error, 1, 3);
        getDialogPane().setContent(grid);
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        getDialogPane().lookupButton(ButtonType.OK).disableProperty()
                .bind(input.valueProperty().isEqualTo(label.valueProperty()).or(error.textProperty().isNotEmpty()));
        setResultConverter(b -> b == ButtonType.OK ? new LabelledData.Fields(input.getValue(), label.getValue(),
                LabelledData.Fields.parseLabelNames(names.getText())) : null);
    }
}
