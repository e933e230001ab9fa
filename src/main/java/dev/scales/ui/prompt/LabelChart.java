package dev.scales.ui.prompt;

import dev.scales.core.eval.FewShotEvaluator;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;

/** The probability of each label for the query, as the model gives it and after calibration. */
final class LabelChart extends BarChart<String, Number> {
    LabelChart(PromptViewModel vm) {
        super(new CategoryAxis(), new NumberAxis(0, 1, 0.25));
        setId("label-chart");
        titleProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> "Label probabilities"
                + (vm.runWeightsProperty().get().isEmpty() ? "" : " · on " + vm.runWeightsProperty().get()),
                vm.runWeightsProperty()));
        setAnimated(false);
        setPrefHeight(180);
        setMinHeight(150);
        getYAxis().setLabel("probability");
        visibleProperty().bind(vm.labelProbabilitiesProperty().isNotNull());
        managedProperty().bind(visibleProperty());
        vm.labelProbabilitiesProperty().addListener((obs, old, lp) -> show(lp));
    }

    private void show(FewShotEvaluator.LabelProbabilities lp) {
        getData().clear();
        if (lp == null) {
            return;
        }
        XYChart.Series<String, Number> raw = new XYChart.Series<>();
        raw.setName("model");
        XYChart.Series<String, Number> calibrated = new XYChart.Series<>();
        calibrated.setName("calibrated");
        for (int i = 0; i < lp.labels().size(); i++) {
            raw.getData().add(new XYChart.Data<>(lp.labels().get(i), lp.raw()[i]));
            calibrated.getData().add(new XYChart.Data<>(lp.labels().get(i), lp.calibrated()[i]));
        }
        getData().addAll(java.util.List.of(raw, calibrated));
    }
}
