package dev.scales.ui.finetune;

import dev.scales.core.ScalesException;
import dev.scales.core.device.Job;
import dev.scales.core.device.JobContext;
import dev.scales.core.device.ModelManager;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.ModelSaver;
import dev.scales.core.train.FineTuneRun;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.train.RunFolder;
import dev.scales.core.train.TrainingEvent;
import dev.scales.core.train.TrainingExample;
import dev.scales.ui.common.Coalescer;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Runs fine-tuning on the model worker, one run at a time, paused and stopped between steps and
 * kept in a run folder; its events reach the chart in batches. An ended run is listed, its weights
 * become a variant of the model (LoRA) or its base (full), and whichever weights are chosen can be
 * saved.
 */
final class FineTuneRunner {
    /**
     * A run to start: its name and label, what it trains on (given on the worker, once), the folder
     * it is kept in (given on the worker; a run it cannot give goes on without), and, when resumed,
     * the checkpoint's step and the curve up to it.
     */
    record Plan(String name, String label, FineTuneSettings settings, Supplier<List<TrainingExample>> data,
                Supplier<RunFolder> folder, int resumeStep, List<TrainingEvent> earlier) {}

    /** How a run's job ended: the run's end, the folder it was kept in (null: none) and why not. */
    private record Ended(TrainingEvent.Finished finished, RunFolder folder, String unkept) {}

    private final ModelManager manager;
    private final UiThread ui;
    private final Consumer<String> status;
    private final BiConsumer<String, List<TrainingEvent>> beginChart;
    private final Consumer<List<TrainingEvent>> addToChart;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper paused = new ReadOnlyBooleanWrapper(this, "paused", false);
    /** Read by the training thread between steps. */
    private final AtomicBoolean pauseFlag = new AtomicBoolean();
    private AtomicBoolean stop = new AtomicBoolean();
    private final ObservableList<FinishedRun> runs = FXCollections.observableArrayList();
    private final ObservableList<FinishedRun> runsView = FXCollections.unmodifiableObservableList(runs);
    private final ReadOnlyObjectWrapper<Path> lastRunFolder = new ReadOnlyObjectWrapper<>(this, "lastRunFolder");
    private final ReadOnlyBooleanWrapper hasResult = new ReadOnlyBooleanWrapper(this, "hasResult");
    /** The last LoRA run's adapters; set by the run's job, cleared by the variant listener (any thread). */
    private volatile LoraAdapters adapters;
    /** The model the last run changed (its adapters are on it); as {@link #adapters}. */
    private volatile LoadedModel trained;

    /**
     * @param beginChart clears the chart for a run (its name) and shows the curve it resumes from
     * @param addToChart adds a batch of the run's events to the chart, on the FX thread
     */
    FineTuneRunner(ModelManager manager, UiThread ui, Consumer<String> status,
                   BiConsumer<String, List<TrainingEvent>> beginChart, Consumer<List<TrainingEvent>> addToChart) {
        this.manager = manager;
        this.ui = ui;
        this.status = status;
        this.beginChart = beginChart;
        this.addToChart = addToChart;
        // The trained model unloaded, or the run's variant discarded: nothing is left to save.
        manager.addVariantListener(v -> {
            boolean gone = trained != null && (manager.models().stream().noneMatch(e -> e.model() == trained)
                    || adapters != null && v.all().stream().noneMatch(x -> x.adapters() == adapters));
            if (gone) {
                adapters = null;
                trained = null;
                ui.run(() -> hasResult.set(false));
            }
        });
    }

    /** Runs {@code plan} on the worker, from its checkpoint when it resumes one. */
    void launch(Plan plan) {
        AtomicBoolean stopFlag = new AtomicBoolean();
        stop = stopFlag;
        pauseFlag.set(false);
        paused.set(false);
        running.set(true);
        status.accept(plan.resumeStep() > 0 ? "resuming from step " + plan.resumeStep() + "…" : "starting…");
        beginChart.accept(plan.name(), plan.earlier());
        Coalescer<TrainingEvent> events = new Coalescer<>(ui, FineTuneViewModel.CHART_INTERVAL_MILLIS, addToChart);
        List<TrainingEvent> all = Collections.synchronizedList(new ArrayList<>(plan.earlier()));
        long started = System.nanoTime();
        manager.submit("fine-tune " + plan.label(), Job.Priority.TRAINING, (model, ctx) -> train(plan, model, ctx, ev -> {
            all.add(ev);
            events.add(ev);
        }, stopFlag)).future().whenComplete((ended, e) -> ui.run(() -> {
            events.flush();
            pauseFlag.set(false);
            paused.set(false);
            if (e != null) {
                status.accept(Errors.message(e));
                running.set(false);
                return;
            }
            finish(plan, ended, all, (System.nanoTime() - started) / 1_000_000);
        }));
    }

    /**
     * Resumes the run kept in {@code dir} from its last checkpoint, on the model it trained (which
     * must be the loaded one): the curve so far comes back on the chart and goes on from that step,
     * with the same data, settings, optimizer state and order of batches.
     */
    void resume(Path dir) {
        if (running.get()) {
            status.accept("A run is in progress: resume another one when it ends.");
            return;
        }
        Path loaded = manager.current().map(m -> m.folder().toAbsolutePath().normalize()).orElse(null);
        ui.offThread(() -> Resumable.of(dir, loaded), (r, e) -> {
            if (e != null || r.refused() != null) {
                status.accept(e != null ? Errors.message(e) : r.refused());
                return;
            }
            if (running.get()) {
                status.accept("A run is in progress: resume another one when it ends.");
                return;
            }
            RunFolder folder = r.folder();
            FineTuneSettings s = folder.settings();
            String label = (s.isLora() ? "LoRA r" + s.lora().rank() : "full") + " · lr " + s.learningRate();
            List<TrainingExample> data = folder.data();
            launch(new Plan(folder.name(), label, s, () -> data, () -> folder, r.step(), r.curve()));
        });
    }

    /**
     * A kept run read from its folder (its data, settings and curve: disk work, away from the FX
     * thread), with the step it resumes from; or why it cannot resume on the model {@code loaded}.
     */
    private record Resumable(RunFolder folder, int step, List<TrainingEvent> curve, String refused) {
        static Resumable of(Path dir, Path loaded) {
            RunFolder folder = RunFolder.open(dir);
            int step = folder.resumableStep();
            if (!folder.model().toAbsolutePath().normalize().equals(loaded)) {
                return refused(folder.name() + " trained " + folder.model() + ": load that model to resume it.");
            }
            if (step == 0) {
                return refused(folder.name() + " has no checkpoint yet (the first is written at step "
                        + folder.settings().evalEvery() + "): start it again instead.");
            }
            return new Resumable(folder, step, folder.curveUpTo(step), null);
        }

        private static Resumable refused(String why) {
            return new Resumable(null, 0, List.of(), why);
        }
    }

    /** The run's job: trains from the base weights, each event to {@code listener} and to the run's folder. */
    private Ended train(Plan plan, LoadedModel model, JobContext ctx, Consumer<TrainingEvent> listener,
                        AtomicBoolean stopFlag) {
        RunFolder folder = null;
        String unkept = "";
        try {
            folder = plan.folder().get();
        } catch (ScalesException e) {
            unkept = " (no checkpoints: " + e.getMessage() + ")";
        }
        FineTuneSettings s = plan.settings();
        Path resume = plan.resumeStep() > 0 && folder != null ? folder.checkpoints().last() : null;
        // Every run starts from the base weights: the active LoRA variant comes off (it stays a variant).
        manager.useBase();
        if (resume != null && !s.isLora()) {
            ModelLoader.readWeightsInto(model, resume);
        }
        RunFolder curve = folder;
        FineTuneRun.Outcome out = FineTuneRun.run(model, plan.data().get(), s, ev -> {
            listener.accept(ev);
            if (curve != null) {
                try {
                    curve.append(ev);
                } catch (ScalesException notKept) {
                    // the run goes on; only a resume would miss this point of the curve
                }
            }
        }, FineTuneRun.Control.stopWhen(() -> stopFlag.get() || ctx.isCancelled()).pausedWhen(pauseFlag::get)
                .betweenSteps(ctx::yieldToUrgent)
                .checkpoints(curve == null ? null : curve.checkpoints()).resumeFrom(resume));
        keep(plan.name(), model, out);
        return new Ended(out.finished(), folder, unkept);
    }

    /** A run that changed the weights becomes a variant (LoRA) or the base's weights (full); one that did not is let go. */
    private void keep(String name, LoadedModel model, FineTuneRun.Outcome out) {
        adapters = out.adapters();
        trained = model;
        if (out.finished().steps() == 0 || out.finished().outcome() == TrainingEvent.Outcome.FAILED) {
            // nothing changed (a failed run is undone): nothing to keep or save
            if (adapters != null) {
                adapters.close();
                adapters = null;
            }
            trained = null;
        } else if (adapters != null) {
            manager.addVariant(name + " · " + out.finished().steps() + " steps", adapters);
        } else {
            manager.baseChanged("fine-tuned weights (" + name + " · " + out.finished().steps() + " steps)");
        }
    }

    /** Lists the ended run and says what became of its weights and where it is kept. */
    private void finish(Plan plan, Ended ended, List<TrainingEvent> all, long millis) {
        TrainingEvent.Finished finished = ended.finished();
        FineTuneSettings s = plan.settings();
        runs.add(0, new FinishedRun(plan.name(), describe(s, plan.data().get().size()), all, finished, millis, ""));
        hasResult.set(finished.steps() > 0);
        lastRunFolder.set(ended.folder() == null ? null : ended.folder().dir());
        String where = ended.folder() == null ? ended.unkept() : " Kept in " + ended.folder().dir() + ".";
        status.accept((finished.outcome() == TrainingEvent.Outcome.FAILED ? finished.message()
                : s.isLora() ? "Prompts now run on this run's LoRA adapters (switch back to the base weights in the "
                        + "model bar); Save writes them in PEFT's layout."
                : "The loaded model now has the fine-tuned weights; Save writes the model, reload it for the base.")
                + where);
        running.set(false); // last: whoever waits for the end finds the run listed and its status
    }

    private static String describe(FineTuneSettings s, int examples) {
        return String.format(Locale.ROOT, "%s · lr %s · %d steps · batch %d%s · %d examples (%.0f%% for validation) · seed %d",
                s.isLora() ? "LoRA r" + s.lora().rank() + " (alpha " + s.lora().alpha() + ") on "
                        + String.join(", ", s.lora().targets()) : "full", s.learningRate(), s.maxSteps(), s.batchSize(),
                s.accumulation() > 1 ? " × " + s.accumulation() : "", examples, 100 * s.validationFraction(), s.seed());
    }

    void stop() {
        stop.set(true);
        pauseFlag.set(false);
        paused.set(false);
    }

    /** Pauses the run between two steps, or resumes it; returns whether it is paused now. */
    boolean togglePause() {
        boolean now = !pauseFlag.get();
        pauseFlag.set(now);
        paused.set(now);
        return now;
    }

    /**
     * Saves the weights chosen in the Weights menu: a LoRA variant as its adapter (PEFT layout), the
     * base (as loaded, or as a full fine-tune left it) as a whole model (HF layout).
     */
    void save(Path dir) {
        ModelManager.Variant v = manager.variants().active();
        if (v == null) {
            status.accept("Load a model first.");
            return;
        }
        status.accept("saving " + v + " to " + dir + "…");
        manager.submit("save " + dir.getFileName(), Job.Priority.EVALUATION, (model, ctx) -> {
            if (!v.isBase()) {
                v.adapters().save(dir, model);
                return "LoRA adapter " + v.name();
            }
            ModelSaver.save(model, dir);
            return "model " + v;
        }).future().whenComplete((what, e) -> ui.run(() -> {
            status.accept(e != null ? Errors.message(e) : "saved the " + what + " to " + dir);
            if (e == null && !runs.isEmpty()) {
                runs.set(0, runs.get(0).savedTo(dir.toString()));
            }
        }));
    }

    ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty pausedProperty() {
        return paused.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty hasResultProperty() {
        return hasResult.getReadOnlyProperty();
    }

    ObservableList<FinishedRun> runs() {
        return runsView;
    }

    ReadOnlyObjectProperty<Path> lastRunFolderProperty() {
        return lastRunFolder.getReadOnlyProperty();
    }
}
