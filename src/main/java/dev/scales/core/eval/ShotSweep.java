package dev.scales.core.eval;

import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Demonstrations;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Accuracy against the number of demonstrations k, each k repeated over several seeds of
 * example choice and order, giving a mean and a spread. A k whose prompt no longer fits the
 * context ends the sweep with a note, not an error.
 */
public final class ShotSweep {
    private ShotSweep() {}

    /** How the demonstrations of each run are drawn. */
    public record Settings(List<Integer> ks, int seeds, Demonstrations.Choice choice, boolean randomLabels,
                           FewShotEvaluator.Options options) {
        public Settings {
            ks = List.copyOf(ks);
            if (ks.isEmpty() || ks.stream().anyMatch(k -> k < 0)) {
                throw new ScalesException("shot counts must be 0 or more, got " + ks);
            }
            if (seeds < 1 || seeds > 100) {
                throw new ScalesException("--seeds must be between 1 and 100, got " + seeds);
            }
        }
    }

    /** One k: the accuracy of each seed, their mean and standard deviation. */
    public record Point(int k, List<Double> accuracies, double mean, double std) {
        public Point {
            accuracies = List.copyOf(accuracies);
        }
    }

    /** The points measured, and why the sweep stopped early (empty when it did not). */
    public record Result(List<Point> points, String note) {
        public Result {
            points = List.copyOf(points);
        }
    }

    public static Result run(LoadedModel model, PromptSet set, List<FewShotEvaluator.TestExample> test, Settings s,
                             Consumer<Point> onPoint, BooleanSupplier cancelled) {
        if (set.labels() == null) {
            throw new ScalesException("the prompt set has no \"labels\": a sweep scores labels");
        }
        List<Point> points = new ArrayList<>();
        List<String> labelNames = set.labels().labels();
        for (int k : s.ks()) {
            List<Double> accuracies = new ArrayList<>();
            try {
                int runs = k == 0 ? 1 : s.seeds(); // zero-shot has nothing to draw
                for (int seed = 0; seed < runs; seed++) {
                    List<Example> demos = Demonstrations.choose(set.examples(), k, s.choice(), true, seed, null);
                    if (s.randomLabels()) {
                        demos = Demonstrations.withRandomLabels(demos, labelNames, seed);
                    }
                    var result = FewShotEvaluator.evaluate(model, set.prompt(demos, ""), set.labels(), test, s.options(),
                            i -> { }, cancelled);
                    accuracies.add(result.metrics().accuracy());
                }
            } catch (ScalesException e) {
                if (e.getMessage().contains("reads at most")) {
                    return new Result(points, "k = " + k + " does not fit the context: " + e.getMessage());
                }
                throw e;
            }
            double mean = accuracies.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = accuracies.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum()
                    / Math.max(1, accuracies.size() - 1);
            Point p = new Point(k, accuracies, mean, accuracies.size() > 1 ? Math.sqrt(var) : 0);
            points.add(p);
            onPoint.accept(p);
        }
        return new Result(points, "");
    }
}
