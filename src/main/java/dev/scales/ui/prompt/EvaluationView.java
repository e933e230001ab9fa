package dev.scales.ui.prompt;

import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.eval.Metrics;
import dev.scales.ui.common.ProgressRow;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.transformation.FilteredList;
import javafx.geometry.Pos;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** An evaluation's progress, then its accuracy, confusion matrix and per-example predictions. */
final class EvaluationView extends VBox {
    private final GridPane confusion = new GridPane();

    EvaluationView(PromptViewModel vm) {
        setId("evaluation");
        setSpacing(6);
        ProgressRow progress = new ProgressRow(vm.evaluationProgress(), "evaluation", "Evaluation or sweep progress");
        Label status = new Label();
        status.setId("evaluation-status");
        status.setWrapText(true);
        status.textProperty().bind(vm.evaluationStatusProperty());

        confusion.setId("confusion");
        confusion.setHgap(4);
        confusion.setVgap(2);
        vm.metricsProperty().addListener((obs, old, m) -> showConfusion(vm, m));

        CheckBox mistakes = new CheckBox("Mistakes only");
        mistakes.setId("mistakes-only");
        FilteredList<FewShotEvaluator.Prediction> shown = new FilteredList<>(vm.predictions());
        shown.predicateProperty().bind(Bindings.createObjectBinding(
                () -> mistakes.isSelected() ? p -> !p.correct() : p -> true, mistakes.selectedProperty()));
        TableView<FewShotEvaluator.Prediction> table = new TableView<>(shown);
        table.setId("predictions");
        table.setAccessibleText("Predictions: each test example's gold and predicted label");
        table.setPrefHeight(140);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Input", p -> p.input()));
        table.getColumns().add(column("Gold", p -> p.gold()));
        table.getColumns().add(column("Predicted", p -> (p.correct() ? "✓ " : "✗ ") + p.predicted()));
        table.getColumns().add(column("p(predicted)", p -> p.probabilities().length == 0 ? "—" // free text
                : String.format(Locale.ROOT, "%.2f", p.probabilities()[vm.evaluationLabels().indexOf(p.predicted())])));
        table.visibleProperty().bind(Bindings.isNotEmpty(vm.predictions()));
        table.managedProperty().bind(table.visibleProperty());
        mistakes.visibleProperty().bind(table.visibleProperty());
        mistakes.managedProperty().bind(table.visibleProperty());
        HBox.setHgrow(table, Priority.ALWAYS);
        HBox results = new HBox(12, confusion, table);
        getChildren().addAll(progress, status, mistakes, results);
    }

    private static TableColumn<FewShotEvaluator.Prediction, String> column(String title,
            java.util.function.Function<FewShotEvaluator.Prediction, String> value) {
        TableColumn<FewShotEvaluator.Prediction, String> c = new TableColumn<>(title);
        c.setCellValueFactory(row -> new ReadOnlyStringWrapper(value.apply(row.getValue())));
        return c;
    }

    /** Rows are gold labels, columns predictions; the diagonal (right answers) is shaded. */
    private void showConfusion(PromptViewModel vm, Metrics m) {
        confusion.getChildren().clear();
        if (m == null) {
            return;
        }
        var labels = vm.evaluationLabels();
        Label corner = new Label("gold \\ predicted");
        corner.getStyleClass().add("muted");
        confusion.add(corner, 0, 0);
        for (int j = 0; j < labels.size(); j++) {
            confusion.add(new Label(labels.get(j)), j + 1, 0);
        }
        for (int i = 0; i < labels.size(); i++) {
            confusion.add(new Label(labels.get(i)), 0, i + 1);
            for (int j = 0; j < labels.size(); j++) {
                Label cell = new Label(Integer.toString(m.confusion()[i][j]));
                cell.setMinWidth(36);
                cell.setAlignment(Pos.CENTER);
                cell.getStyleClass().add(i == j ? "confusion-hit" : "confusion-miss");
                confusion.add(cell, j + 1, i + 1);
            }
        }
    }
}
