package dev.scales.core.experiment;

import dev.scales.core.experiment.Studies.Point;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class ResultsReportTest {
    /** One curve from its N values and, per N, the measurements over seeds. */
    private static List<Point> curve(int[] ns, double[][] values) {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < ns.length; i++) {
            List<Double> v = new ArrayList<>();
            for (double x : values[i]) {
                v.add(x);
            }
            points.add(new Point(ns[i], v));
        }
        return points;
    }

    @Test
    void differencesWithinTheSpreadAreReportedAsLevelNotAsACrossing() {
        int[] ns = {1, 2, 4, 8};
        List<Point> icl = curve(ns, new double[][] {{0.995, 1.0}, {1.0, 1.0}, {0.995, 0.995}, {1.0, 1.0}});
        List<Point> ft = curve(ns, new double[][] {{0.5, 0.5}, {0.995, 1.0}, {1.0, 0.99}, {0.995, 1.0}});

        assertThat(ResultsReport.crossing(icl, ft)).isEqualTo("Prompting is ahead at N = 1; the two are level at "
                + "N = 2–8 (level: means within their two standard deviations together, or within 0.01).");
    }

    @Test
    void fineTuningOvertakingPromptingIsACrossing() {
        int[] ns = {1, 2, 4};
        List<Point> icl = curve(ns, new double[][] {{0.9, 0.9}, {0.9, 0.9}, {0.9, 0.9}});
        List<Point> ft = curve(ns, new double[][] {{0.5, 0.5}, {0.9, 0.9}, {1.0, 1.0}});

        assertThat(ResultsReport.crossing(icl, ft)).startsWith("Prompting is ahead at N = 1; the two are level at N = 2; "
                + "fine-tuning is ahead at N = 4 (").endsWith("The curves cross between N = 1 and N = 4.");
    }

    @Test
    void aMethodAheadByLessThanItsSpreadIsNotAhead() {
        int[] ns = {1, 2};
        List<Point> icl = curve(ns, new double[][] {{0.5, 0.5}, {0.5, 0.5}});
        List<Point> ft = curve(ns, new double[][] {{0.45, 0.63}, {0.8, 0.82}}); // 0.54 ± 0.127: level; 0.81 ± 0.014: ahead

        assertThat(ResultsReport.crossing(icl, ft)).startsWith("The two are level at N = 1; fine-tuning is ahead at N = 2 (")
                .doesNotContain("cross between");
    }
}
