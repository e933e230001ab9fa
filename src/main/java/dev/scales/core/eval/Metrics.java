package dev.scales.core.eval;

import java.util.List;

/**
 * Accuracy, macro-F1 and the confusion matrix of predictions against gold labels (indices
 * into the label set).
 *
 * @param confusion  confusion[gold][predicted] counts
 */
public record Metrics(double accuracy, double macroF1, int[][] confusion, int count) {
    public static Metrics of(List<Integer> gold, List<Integer> predicted, int labels) {
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException(gold.size() + " gold labels but " + predicted.size() + " predictions");
        }
        int[][] c = new int[labels][labels];
        int right = 0;
        for (int i = 0; i < gold.size(); i++) {
            c[gold.get(i)][predicted.get(i)]++;
            if (gold.get(i).equals(predicted.get(i))) {
                right++;
            }
        }
        double f1Sum = 0;
        for (int k = 0; k < labels; k++) {
            int tp = c[k][k];
            int predictedK = 0;
            int goldK = 0;
            for (int j = 0; j < labels; j++) {
                predictedK += c[j][k];
                goldK += c[k][j];
            }
            double precision = predictedK == 0 ? 0 : (double) tp / predictedK;
            double recall = goldK == 0 ? 0 : (double) tp / goldK;
            f1Sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        int n = gold.size();
        return new Metrics(n == 0 ? Double.NaN : (double) right / n, f1Sum / labels, c, n);
    }
}
