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
import org.controlsfx.control.CheckComboBox;

/**
 * Asks which of a dataset's fields holds the input and which the label (or expected answer), and
 * optionally what the label values stand for ("0=negative, 1=positive"). Several input fields may be
 * checked, for a template with a slot of each name ({premise} and {hypothesis}).
 */
public final class FieldsDialog extends Dialog<LabelledData.Fields> {
    /** @param initial the fields to start from (a guess), or null for the first two */
    public FieldsDialog(Path file, List<String> fields, LabelledData.Fields initial) {
        setTitle("Map the fields of " + file.getFileName());
        setHeaderText("Which field is the input, and which the label or expected answer?");
        CheckComboBox<String> input = new CheckComboBox<>(javafx.collections.FXCollections.observableArrayList(fields));
        input.setId("input-field");
        input.setAccessibleText("Input fields");
        input.setTitle(null);
        ComboBox<String> label = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(fields));
        label.setId("label-field");
        label.setAccessibleText("Label field");
        if (initial != null && fields.containsAll(initial.inputs()) && fields.contains(initial.label())) {
            initial.inputs().forEach(input.getCheckModel()::check);
            label.getSelectionModel().select(initial.label());
        } else {
            input.getCheckModel().check(0);
            label.getSelectionModel().select(Math.min(1, fields.size() - 1));
        }
        TextField names = new TextField(initial == null ? "" : initial.labelNamesText());
        names.setId("label-names");
        names.setAccessibleText("Label names");
        names.setPromptText("optional, e.g. 0=negative, 1=positive");
        Label error = new Label();
        error.getStyleClass().add(Errors.STYLE_CLASS);
        error.textProperty().bind(Bindings.createStringBinding(() -> {
            if (input.getCheckModel().getCheckedItems().isEmpty()) {
                return "Check at least one input field.";
            }
            try {
                result(fields, input, label, names);
                return "";
            } catch (ScalesException e) {
                return e.getMessage();
            }
        }, names.textProperty(), label.valueProperty(), input.getCheckModel().getCheckedItems()));
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(8);
        grid.addRow(0, new Label("Input (one or more)"), input);
        grid.addRow(1, new Label("Label / answer"), label);
        grid.addRow(2, new Label("Label names"), names);
        grid.add(error, 1, 3);
        getDialogPane().setContent(grid);
        getDialogPane().getStylesheets().add(Theme.appStylesheet()); // its error text as the window's
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        getDialogPane().lookupButton(ButtonType.OK).disableProperty().bind(error.textProperty().isNotEmpty());
        setResultConverter(b -> b == ButtonType.OK ? result(fields, input, label, names) : null);
    }

    private static LabelledData.Fields result(List<String> fields, CheckComboBox<String> input, ComboBox<String> label,
                                              TextField names) {
        return LabelledData.Fields.of(fields.stream().filter(input.getCheckModel().getCheckedItems()::contains).toList(),
                label.getValue(),
                LabelledData.Fields.parseLabelNames(names.getText()));
    }
}
