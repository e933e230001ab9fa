package dev.scales.core.experiment;

import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The runs of experiments kept as records — one folder each, as {@link ExperimentReport} writes it,
 * named by when it ran and what — and two runs laid side by side, measure by measure.
 */
public final class RunRecords {
    private static final DateTimeFormatter FOLDER = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss", Locale.ROOT);

    private RunRecords() {}

    /** A saved run: its folder and how to name it in a list. */
    public record Record(Path dir, String label) {
        @Override
        public String toString() {
            return label;
        }
    }

    /** One line of a comparison: a measure and its value in each run ("" where a run has none). */
    public record Row(String measure, String first, String second) {}

    /** Keeps {@code r} under {@code root} in a new folder named by {@code when} and the experiment. */
    public static Record save(ExperimentRun.Results r, Path root, LocalDateTime when) {
        String slug = r.experiment().name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
        Path dir = root.resolve(FOLDER.format(when) + "-" + (slug.length() > 40 ? slug.substring(0, 40) : slug));
        for (int i = 2; Files.exists(dir); i++) {
            dir = dir.resolveSibling(dir.getFileName() + "-" + i);
        }
        try {
            ExperimentReport.write(r, dir);
        } catch (IOException e) {
            throw new ScalesException(dir + ": cannot keep the run (" + e.getMessage() + ")", e);
        }
        return new Record(dir, label(dir));
    }

    /** The runs kept under {@code root}, newest first; folders without a results.json are passed over. */
    public static List<Record> list(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("results.json")))
                    .sorted(Comparator.comparing((Path d) -> d.getFileName().toString()).reversed())
                    .map(d -> new Record(d, label(d))).toList();
        } catch (IOException e) {
            throw new ScalesException(root + ": cannot list the kept runs (" + e.getMessage() + ")", e);
        }
    }

    /** "2026-11-26 16:40 · sentiment-on-scales-tiny" from the folder's name. */
    private static String label(Path dir) {
        String name = dir.getFileName().toString();
        if (name.length() > 20 && name.charAt(10) == 'T') {
            return name.substring(0, 10) + " " + name.substring(11, 16).replace('-', ':') + " · " + name.substring(20);
        }
        return name;
    }

    /**
     * Two runs measure by measure: how each ran (model, device, versions, time), the grid's
     * accuracies, the cost, forgetting and accuracy against labelled examples at every N either
     * run measured.
     */
    public static List<Row> compare(ExperimentRun.Results a, ExperimentRun.Results b) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("experiment", a.experiment().name(), b.experiment().name()));
        rows.add(new Row("model", a.experiment().model().getFileName().toString(),
                b.experiment().model().getFileName().toString()));
        rows.add(new Row("fine-tuning", fineTune(a), fineTune(b)));
        rows.add(new Row("device", a.device(), b.device()));
        rows.add(new Row("Scales · engine", a.scalesVersion() + " · " + a.engine(), b.scalesVersion() + " · " + b.engine()));
        rows.add(new Row("run time", seconds(a.elapsedMillis() / 1000.0), seconds(b.elapsedMillis() / 1000.0)));
        for (int i = 0; i < ExperimentRun.METHODS.size(); i++) {
            rows.add(new Row("accuracy: " + ExperimentRun.METHODS.get(i), cell(a, i), cell(b, i)));
        }
        rows.add(new Row("training", training(a.cost()), training(b.cost())));
        rows.add(new Row("tokens per few-shot prediction", count(a.cost().fewShotTokensPerPrediction()),
                count(b.cost().fewShotTokensPerPrediction())));
        rows.add(new Row("break-even (predictions, by tokens)", count(a.cost().breakEvenByTokens()),
                count(b.cost().breakEvenByTokens())));
        rows.add(new Row("forgetting (held-out perplexity)", forgetting(a.forgetting()), forgetting(b.forgetting())));
        TreeSet<Integer> ns = new TreeSet<>();
        for (ExperimentRun.Results r : List.of(a, b)) {
            r.labelledIcl().points().forEach(p -> ns.add((int) p.x()));
        }
        for (int n : ns) {
            rows.add(new Row("N = " + n + ": in context / fine-tuned", labelled(a, n), labelled(b, n)));
        }
        return rows;
    }

    private static String fineTune(ExperimentRun.Results r) {
        Experiment.FineTune f = r.experiment().fineTune();
        return String.format(Locale.ROOT, "%s%s · lr %s · %d steps on %d", f.method(), f.lora() ? " r" + f.rank() : "",
                f.learningRate(), f.steps(), r.experiment().trainingSize());
    }

    private static String cell(ExperimentRun.Results r, int i) {
        ExperimentRun.Cell c = r.grid().get(i);
        return String.format(Locale.ROOT, "%.1f%% ± %.1f%s", 100 * c.accuracy().mean(), 100 * c.accuracy().std(),
                c.shots() > 0 ? " (" + c.shots() + " shots)" : "");
    }

    private static String training(ExperimentRun.Cost c) {
        return String.format(Locale.ROOT, "%s, %,d tokens", seconds(c.trainingSeconds()), c.trainingTokens());
    }

    private static String forgetting(ExperimentRun.Forgetting f) {
        return f == null ? "" : String.format(Locale.ROOT, "%.3f → %.3f (%+.1f%%)", f.basePerplexity(),
                f.fineTunedPerplexity(), f.risePercent());
    }

    private static String labelled(ExperimentRun.Results r, int n) {
        return point(r.labelledIcl(), n) + " / " + point(r.labelledFineTuned(), n);
    }

    private static String point(Studies.Curve c, int n) {
        return c.points().stream().filter(p -> (int) p.x() == n).findFirst()
                .map(p -> String.format(Locale.ROOT, "%.1f%%", 100 * p.mean())).orElse("–");
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.1f s", s);
    }

    private static String count(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%,.0f", v) : "never";
    }
}
