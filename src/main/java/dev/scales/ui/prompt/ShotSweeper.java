package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.eval.ShotSweep;
import dev.scales.core.prompt.Demonstrations;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.util.ProgressCount;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.ImageWriter;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableSet;

/**
 * Sweeps the number of demonstrations: accuracy on a test set for k = 0, 1, 2, 4… in each chosen
 * series, points arriving as they are measured; and exports the result.
 */
final class ShotSweeper {
    /** Draws of demonstrations per k. */
    private static final int SEEDS = 3;

    private final ObservableList<ShotSweep.Point> points = FXCollections.observableArrayList();
    private final ObservableList<ShotSweep.Point> pointsView = FXCollections.unmodifiableObservableList(points);
    private final ObservableSet<ShotSweep.Variant> variants =
            FXCollections.observableSet(new TreeSet<>(List.of(ShotSweep.Variant.values())));
    /** The weights the last sweep ran on, as the model bar names them. */
    private final ReadOnlyStringWrapper weights = new ReadOnlyStringWrapper(this, "sweepWeights", "");
    private final ModelManager manager;
    private final UiThread ui;
    private final PromptEditor editor;
    private final TestSetReader reader;
    private final PromptActivity activity;
    private final JobProgress exporting;

    ShotSweeper(ModelManager manager, UiThread ui, PromptEditor editor, TestSetReader reader,
                PromptActivity activity) {
        this.manager = manager;
        this.ui = ui;
        this.editor = editor;
        this.reader = reader;
        this.activity = activity;
        this.exporting = new JobProgress(ui);
    }

    /**
     * Accuracy against the number of demonstrations: k = 0, 1, 2, 4… up to the examples in the
     * table, each k drawn with three seeds (balanced per label), for each chosen series (gold labels,
     * random labels, calibrated), reading the named fields ({@code null}: recognise them by name).
     */
    void sweep(Path testFile, LabelledData.Fields fields) {
        FewShotPrompt p = editor.promptProperty().get();
        if (p == null || editor.model() == null || activity.running().get()) {
            return;
        }
        if (variants.isEmpty()) {
            activity.status().set("Choose at least one series to sweep: gold labels, random labels or calibrated.");
            return;
        }
        reader.read(testFile, fields, true, t -> sweep(p, t));
    }

    private void sweep(FewShotPrompt p, TestSetReader.TestSet t) {
        if (activity.running().get()) {
            return;
        }
        List<FewShotEvaluator.TestExample> test = t.examples();
        List<Integer> ks = new ArrayList<>(List.of(0));
        for (int k = 1; k <= p.enabledExamples().size(); k *= 2) {
            ks.add(k);
        }
        PromptSet set = new PromptSet(p.instruction(), p.template(), LabelSet.of(t.labels().toArray(String[]::new)),
                p.examples(), p.chat());
        List<ShotSweep.Variant> series = List.copyOf(variants);
        JobProgress.Run shown = activity.starting();
        points.clear();
        activity.status().set("sweeping k = " + ks + " over " + SEEDS + " seeds…");
        JobWeights on = new JobWeights();
        Job<ShotSweep.Result> job = manager.submit("sweep shots", Job.Priority.EVALUATION, (m, ctx) -> {
            on.set(ctx.weights());
            ui.run(() -> weights.set(on.get())); // the points that arrive are these weights'
            shown.begin();
            ShotSweep.Settings settings = new ShotSweep.Settings(ks, SEEDS, Demonstrations.Choice.BALANCED, series,
                    FewShotEvaluator.Options.DEFAULT);
            ProgressCount measured = new ProgressCount(settings.points(), shown);
            return ShotSweep.run(m, set, test, settings, point -> {
                ui.run(() -> points.add(point));
                measured.add(1);
            }, ctx::isCancelled);
        });
        activity.whenEnded(job, shown, r -> activity.status().set("accuracy against shots on " + test.size() + " examples"
                + on.suffix() + (r.note().isEmpty() ? "" : " · " + r.note())));
    }

    /**
     * Writes the sweep: its points as CSV for a {@code .csv} file, else the chart (PNG, or SVG for
     * {@code .svg}) that {@code image} writes; the outcome shows in the evaluation status.
     */
    void export(Path file, ImageWriter image) {
        UiThread.FileWork work;
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
                List<ShotSweep.Point> shown = List.copyOf(points);
                work = () -> ShotSweep.writeCsv(file, shown);
            } else {
                work = image.draw(file);
            }
        } catch (IOException | RuntimeException e) {
            activity.status().set("could not save the sweep to " + file + ": " + Errors.message(e));
            return;
        }
        activity.status().set("saving the sweep to " + file.getFileName() + "…");
        exporting.writeFile(work, e -> activity.status().set(Errors.saving(e, "the sweep", file)));
    }

    /** The sweep's points so far (series, k, mean, spread). */
    ObservableList<ShotSweep.Point> points() {
        return pointsView;
    }

    /** The series the next sweep measures (all three at first). */
    ObservableSet<ShotSweep.Variant> variants() {
        return variants;
    }

    /** An export under way. */
    JobProgress exportProgress() {
        return exporting;
    }

    ReadOnlyStringProperty weightsProperty() {
        return weights.getReadOnlyProperty();
    }
}
