package dev.scales.core.experiment;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.util.AtomicFiles;
import dev.scales.core.util.CsvFiles;
import dev.scales.core.util.ProgressCount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * An experiment's results as files: {@code results.json} (settings, versions, device, timings and
 * every number), {@code grid.csv}, {@code outputs.csv}, {@code labelled.csv}, and the charts
 * {@code labelled.png} and {@code grid.png} — the same numbers the compare view shows.
 */
public final class ExperimentReport {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    private ExperimentReport() {}

    public static void write(ExperimentRun.Results r, Path dir) throws IOException {
        write(r, dir, share -> { }, () -> false);
    }

    /**
     * As {@link #write(ExperimentRun.Results, Path)}, file by file: {@code progress} hears the share of
     * the files written after each, and {@code cancelled} is asked before each. A cancelled export
     * throws a {@link CancellationException}; the files written by then stay, each whole.
     */
    public static void write(ExperimentRun.Results r, Path dir, DoubleConsumer progress, BooleanSupplier cancelled)
            throws IOException {
        Files.createDirectories(dir);
        List<FileWrite> files = files(r, dir);
        ProgressCount written = new ProgressCount(files.size(), progress);
        for (int i = 0; i < files.size(); i++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("the export was cancelled after " + i + " of " + files.size() + " files");
            }
            files.get(i).write();
            written.add(1);
        }
    }

    /** Writing one file (or a chart's PNG and SVG). */
    @FunctionalInterface
    private interface FileWrite {
        void write() throws IOException;
    }

    /** What an export writes, in order: the experiment, results.json, the CSV tables and the charts. */
    private static List<FileWrite> files(ExperimentRun.Results r, Path dir) {
        List<FileWrite> files = new ArrayList<>(List.of(() -> r.experiment().write(dir.resolve("experiment.json")),
                () -> AtomicFiles.writeString(dir.resolve("results.json"), GSON.toJson(results(r, dir)) + "\n"),
                () -> gridCsv(r, dir.resolve("grid.csv")), () -> outputsCsv(r, dir.resolve("outputs.csv")),
                () -> labelledCsv(r, dir.resolve("labelled.csv"))));
        if (!r.labelledIcl().points().isEmpty()) {
            files.add(() -> chart(labelledChart(r), dir, "labelled"));
        }
        files.add(() -> chart(gridChart(r), dir, "grid"));
        files.add(() -> chart(costChart(r), dir, "cost"));
        return files;
    }

    /** results.json: the experiment, the versions, the device, the timings and every number. */
    private static JsonObject results(ExperimentRun.Results r, Path dir) {
        JsonObject o = new JsonObject();
        o.add("experiment", r.experiment().toJson(dir.toAbsolutePath()));
        o.addProperty("scales", r.scalesVersion());
        o.addProperty("engine", r.engine());
        o.addProperty("device", r.device());
        o.addProperty("elapsedSeconds", r.elapsedMillis() / 1000.0);
        o.add("grid", GSON.toJsonTree(r.grid()));
        o.add("labelled", GSON.toJsonTree(List.of(r.labelledIcl(), r.labelledFineTuned())));
        o.add("cost", GSON.toJsonTree(r.cost()));
        if (r.forgetting() != null) {
            o.add("forgetting", GSON.toJsonTree(r.forgetting()));
        }
        o.add("outputs", GSON.toJsonTree(r.outputs()));
        return o;
    }

    /** The four methods' accuracy, macro-F1 and cost per prediction. */
    private static void gridCsv(ExperimentRun.Results r, Path file) throws IOException {
        csv(file, List.of("method", "shots", "accuracy_mean", "accuracy_std", "macro_f1_mean",
                "prompt_tokens_per_prediction", "seconds_per_prediction"), rows -> {
            for (ExperimentRun.Cell c : r.grid()) {
                rows.add(List.of(c.method(), c.shots(), c.accuracy().mean(), c.accuracy().std(), c.macroF1().mean(),
                        c.promptTokensPerPrediction(), c.secondsPerPrediction()));
            }
        });
    }

    /** Accuracy against the number of labelled examples, in context and fine-tuned. */
    private static void labelledCsv(ExperimentRun.Results r, Path file) throws IOException {
        csv(file, List.of("n", "in_context_mean", "in_context_std", "fine_tuned_mean", "fine_tuned_std"), rows -> {
            for (int i = 0; i < r.labelledIcl().points().size(); i++) {
                Studies.Point a = r.labelledIcl().points().get(i);
                Studies.Point f = r.labelledFineTuned().points().get(i);
                rows.add(List.of((int) a.x(), a.mean(), a.std(), f.mean(), f.std()));
            }
        });
    }

    /** Each test example with every method's prediction and confidence. */
    private static void outputsCsv(ExperimentRun.Results r, Path file) throws IOException {
        List<String> header = new ArrayList<>(List.of("index", "input", "gold"));
        ExperimentRun.METHODS.forEach(m -> {
            header.add(m);
            header.add(m + " confidence");
        });
        csv(file, header, rows -> {
            for (ExperimentRun.Output out : r.outputs()) {
                List<Object> row = new ArrayList<>(List.of(out.index() + 1, out.input(), out.gold()));
                for (int m = 0; m < out.predicted().size(); m++) {
                    row.add(out.predicted().get(m));
                    row.add(out.confidence().get(m));
                }
                rows.add(row);
            }
        });
    }

    /**
     * Reads back a run that {@link #write} wrote: its experiment, settings, versions, device, timings
     * and every number — the record the compare view lays beside another run.
     */
    public static ExperimentRun.Results read(Path dir) {
        Path file = dir.resolve("results.json");
        try {
            JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            Experiment e = Experiment.read(dir.resolve("experiment.json"));
            List<ExperimentRun.Cell> grid = GSON.fromJson(o.get("grid"),
                    new com.google.gson.reflect.TypeToken<List<ExperimentRun.Cell>>() {}.getType());
            List<Studies.Curve> labelled = GSON.fromJson(o.get("labelled"),
                    new com.google.gson.reflect.TypeToken<List<Studies.Curve>>() {}.getType());
            List<ExperimentRun.Output> outputs = GSON.fromJson(o.get("outputs"),
                    new com.google.gson.reflect.TypeToken<List<ExperimentRun.Output>>() {}.getType());
            if (grid == null || grid.size() != 4 || labelled == null || labelled.size() != 2 || outputs == null
                    || !o.has("cost")) {
                throw new IllegalArgumentException("grid, labelled, cost or outputs missing");
            }
            return new ExperimentRun.Results(e, grid, outputs, labelled.get(0), labelled.get(1),
                    GSON.fromJson(o.get("cost"), ExperimentRun.Cost.class),
                    o.has("forgetting") ? GSON.fromJson(o.get("forgetting"), ExperimentRun.Forgetting.class) : null,
                    string(o, "scales"), string(o, "engine"), string(o, "device"),
                    Math.round(o.get("elapsedSeconds").getAsDouble() * 1000));
        } catch (IOException e) {
            throw new ScalesException(file + ": cannot read the run (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof ScalesException) {
                throw e;
            }
            throw new ScalesException(file + ": not a Scales run record (" + e.getMessage() + ")", e);
        }
    }

    private static String string(JsonObject o, String field) {
        if (!o.has(field) || !o.get(field).isJsonPrimitive()) {
            throw new IllegalArgumentException("\"" + field + "\" missing");
        }
        return o.get(field).getAsString();
    }

    /** A chart as {@code name.png} and {@code name.svg}. */
    private static void chart(JFreeChart chart, Path dir, String name) throws IOException {
        Charts.save(chart, dir.resolve(name + ".png"));
        Charts.save(chart, dir.resolve(name + ".svg"));
    }

    /**
     * Tokens processed against the number of predictions: prompting pays its demonstrations at every
     * prediction; fine-tuning pays its training once (a training token counted as three forward
     * tokens), then zero-shot prompts. The lines cross at the break-even point.
     */
    public static JFreeChart costChart(ExperimentRun.Results r) {
        ExperimentRun.Cost c = r.cost();
        double end = Double.isFinite(c.breakEvenByTokens()) ? Math.max(10, 2 * c.breakEvenByTokens()) : 1000;
        org.jfree.data.xy.XYSeries prompting = new org.jfree.data.xy.XYSeries("few-shot prompting");
        org.jfree.data.xy.XYSeries tuned = new org.jfree.data.xy.XYSeries("fine-tuning, then zero-shot");
        for (int i = 0; i <= 20; i++) {
            double n = end * i / 20;
            prompting.add(n, c.fewShotTokensPerPrediction() * n);
            tuned.add(n, 3.0 * c.trainingTokens() + c.zeroShotTokensPerPrediction() * n);
        }
        JFreeChart chart = Charts.lines("Cost: tokens processed against predictions made", "predictions",
                "tokens processed", List.of(prompting, tuned), false);
        ((org.jfree.chart.axis.NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(true);
        if (Double.isFinite(c.breakEvenByTokens())) {
            var marker = new org.jfree.chart.plot.ValueMarker(c.breakEvenByTokens());
            marker.setLabel(String.format(java.util.Locale.ROOT, "break-even: %,.0f predictions", c.breakEvenByTokens()));
            marker.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);
            marker.setPaint(java.awt.Color.DARK_GRAY);
            chart.getXYPlot().addDomainMarker(marker);
        }
        return chart;
    }

    public static JFreeChart labelledChart(ExperimentRun.Results r) {
        return Charts.bands("Accuracy against labelled examples", "labelled examples (N)", "test accuracy",
                List.of(r.labelledIcl(), r.labelledFineTuned()), true, 1.0);
    }

    /** The grid's four accuracies as bars. */
    public static JFreeChart gridChart(ExperimentRun.Results r) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ExperimentRun.Cell c : r.grid()) {
            data.addValue(c.accuracy().mean(), c.fineTuned() ? "fine-tuned" : "base",
                    c.shots() == 0 ? "zero-shot" : c.shots() + "-shot");
        }
        JFreeChart chart = ChartFactory.createBarChart("Base vs fine-tuned, zero-shot vs few-shot", null,
                "test accuracy", data, PlotOrientation.VERTICAL, true, false, false);
        var plot = chart.getCategoryPlot();
        plot.getRangeAxis().setRange(0, 1);
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.getRenderer().setSeriesPaint(0, Charts.PALETTE.get(0));
        plot.getRenderer().setSeriesPaint(1, Charts.PALETTE.get(1));
        ((org.jfree.chart.renderer.category.BarRenderer) plot.getRenderer())
                .setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        chart.setBackgroundPaint(java.awt.Color.WHITE);
        return chart;
    }

    private interface Rows {
        void fill(List<List<?>> rows);
    }

    private static void csv(Path file, List<String> header, Rows rows) throws IOException {
        List<List<?>> all = new ArrayList<>();
        rows.fill(all);
        CsvFiles.write(file, header, all);
    }
}
