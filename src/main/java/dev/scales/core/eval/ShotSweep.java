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

    /**
     * What a series measures: gold demonstration labels; labels replaced at random (Min et al. 2022:
     * wrong labels barely hurt a model that reads the format); gold labels with contextual
     * calibration (Zhao et al. 2021).
     */
    public enum Variant {
        GOLD("gold labels"), RANDOM_LABELS("random labels"), CALIBRATED("calibrated");

        public final String label;

        Variant(String label) {
            this.label = label;
        }

        /** gold, random-labels or calibrated (as the command line writes them). */
        public static Variant parse(String name) {
            for (Variant v : values()) {
                if (v.name().replace('_', '-').equalsIgnoreCase(name.trim())) {
                    return v;
                }
            }
            throw new ScalesException("unknown sweep variant \"" + name + "\": use gold, random-labels or calibrated");
        }
    }

    /** How the demonstrations of each run are drawn, and which series to measure. */
    public record Settings(List<Integer> ks, int seeds, Demonstrations.Choice choice, List<Variant> variants,
                           FewShotEvaluator.Options options) {
        public Settings {
            ks = List.copyOf(ks);
            variants = List.copyOf(new java.util.LinkedHashSet<>(variants));
            if (ks.isEmpty() || ks.stream().anyMatch(k -> k < 0)) {
                throw new ScalesException("shot counts must be 0 or more, got " + ks);
            }
            if (seeds < 1 || seeds > 100) {
                throw new ScalesException("the number of seeds must be between 1 and 100, got " + seeds);
            }
            if (variants.isEmpty()) {
                throw new ScalesException("a sweep needs at least one variant (gold, random-labels, calibrated)");
            }
        }

        /** The points a whole sweep measures, each reaching {@code onPoint}: one per k per series. */
        public int points() {
            return ks.size() * variants.size();
        }
    }

    /** One k of one series: the accuracy of each seed, their mean and standard deviation. */
    public record Point(Variant variant, int k, List<Double> accuracies, double mean, double std) {
        public Point {
            accuracies = List.copyOf(accuracies);
        }

        static Point of(Variant variant, int k, List<Double> accuracies) {
            double mean = accuracies.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double var = accuracies.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum()
                    / Math.max(1, accuracies.size() - 1);
            return new Point(variant, k, accuracies, mean, accuracies.size() > 1 ? Math.sqrt(var) : 0);
        }
    }

    /** The points measured, and why the sweep stopped early (empty when it did not). */
    public record Result(List<Point> points, String note) {
        public Result {
            points = List.copyOf(points);
        }
    }

    /**
     * Measures every k for every variant, k by k (so all series grow together); each point reaches
     * {@code onPoint} as soon as it is measured.
     */
    public static Result run(LoadedModel model, PromptSet set, List<FewShotEvaluator.TestExample> test, Settings s,
                             Consumer<Point> onPoint, BooleanSupplier cancelled) {
        if (set.labels() == null) {
            throw new ScalesException("the prompt set has no \"labels\": a sweep scores labels");
        }
        List<Point> points = new ArrayList<>();
        List<String> labelNames = set.labels().labels();
        for (int k : s.ks()) {
            List<Double> unshuffled = null; // k = 0 with random labels is the gold prompt: measured once
            for (Variant v : s.variants()) {
                List<Double> accuracies = new ArrayList<>();
                boolean sameAsGold = k == 0 && v != Variant.CALIBRATED;
                if (sameAsGold && unshuffled != null) {
                    accuracies.addAll(unshuffled);
                } else {
                    FewShotEvaluator.Options options = v == Variant.CALIBRATED
                            ? new FewShotEvaluator.Options(true, s.options().perToken(), s.options().sharePrefix())
                            : s.options();
                    try {
                        int runs = k == 0 ? 1 : s.seeds(); // zero-shot has nothing to draw
                        for (int seed = 0; seed < runs; seed++) {
                            List<Example> demos = Demonstrations.choose(set.examples(), k, s.choice(), true, seed, null);
                            if (v == Variant.RANDOM_LABELS) {
                                demos = Demonstrations.withRandomLabels(demos, labelNames, seed);
                            }
                            accuracies.add(FewShotEvaluator.evaluate(model, set.prompt(demos, ""), set.labels(), test,
                                    options, i -> { }, cancelled).metrics().accuracy());
                        }
                    } catch (ScalesException e) {
                        if (e.getMessage().contains("reads at most")) {
                            return new Result(points, "k = " + k + " does not fit the context: " + e.getMessage());
                        }
                        throw e;
                    }
                    if (sameAsGold) {
                        unshuffled = accuracies;
                    }
                }
                Point p = Point.of(v, k, accuracies);
                points.add(p);
                onPoint.accept(p);
            }
        }
        return new Result(points, "");
    }

    /** The points as CSV: variant, k, mean, std and the accuracy of each seed. */
    public static void writeCsv(java.nio.file.Path file, List<Point> points) {
        int seeds = points.stream().mapToInt(p -> p.accuracies().size()).max().orElse(0);
        List<String> header = new ArrayList<>(List.of("variant", "k", "mean", "std"));
        for (int i = 0; i < seeds; i++) {
            header.add("seed_" + i);
        }
        try {
            dev.scales.core.util.CsvFiles.write(file, header, points.stream().map(p -> {
                List<Object> row = new ArrayList<>(List.of(p.variant().label, p.k(), p.mean(), p.std()));
                row.addAll(p.accuracies());
                return row;
            }).toList());
        } catch (java.io.IOException e) {
            throw new ScalesException(file + ": cannot write the sweep: " + e.getMessage(), e);
        }
    }
}
