package dev.scales.ui.prompt;

import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.ui.common.ChartStyle;
import dev.scales.ui.common.ChartZoom;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The probability of each label for the query, as the model gives it and after calibration: two
 * bars per label, each with its probability written on it (0.83), and a legend naming the two.
 */
final class LabelChart extends ChartViewer {
    /** The series, as the legend names them. */
    static final String RAW = "model";
    static final String CALIBRATED = "calibrated";

    private final DefaultCategoryDataset data = new DefaultCategoryDataset();

    LabelChart(PromptViewModel vm) {
        setId("label-chart");
        setAccessibleText("Label probabilities chart: each label's probability, as the model gives it and calibrated");
        JFreeChart chart = ChartStyle.bars("Label probabilities", "probability", data,
                new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        ChartStyle.unitRange(chart.getCategoryPlot().getRangeAxis());
        setChart(chart);
        ChartZoom.explicitOnly(this, null);
        chart.setTitle(title(vm.runWeightsProperty().get()));
        vm.runWeightsProperty().addListener((obs, was, weights) -> chart.setTitle(title(weights)));
        visibleProperty().bind(vm.labelProbabilitiesProperty().isNotNull());
        managedProperty().bind(visibleProperty());
        vm.labelProbabilitiesProperty().addListener((obs, old, lp) -> show(lp));
    }

    private static String title(String weights) {
        return "Label probabilities" + (weights.isEmpty() ? "" : " · on " + weights);
    }

    private void show(FewShotEvaluator.LabelProbabilities lp) {
        data.clear();
        if (lp == null) {
            return;
        }
        for (int i = 0; i < lp.labels().size(); i++) {
            data.addValue(lp.raw()[i], RAW, lp.labels().get(i));
            data.addValue(lp.calibrated()[i], CALIBRATED, lp.labels().get(i));
        }
    }
}
