package dev.scales.ui.lesson;

import dev.scales.core.device.Job;
import dev.scales.core.device.ModelManager;
import dev.scales.core.experiment.Lesson;
import dev.scales.core.experiment.Studies;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.JobProgress;
import dev.scales.ui.common.UiThread;
import java.util.Locale;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The guided lesson: four steps, each one click, each run as a job of the model manager on the
 * lesson's own copies of the bundled model. Each step has a state, a one-line result, and the data
 * its chart draws: the practice loss as it falls, accuracy against shots, the four final accuracies.
 */
public final class LessonViewModel implements AutoCloseable {
    /** The steps, in the order of the story. */
    public enum Step { GENERAL, PRACTICE, IMPROVISE, BOTH }

    /** Where a step is. */
    public enum State { READY, RUNNING, DONE, FAILED }

    private final ModelManager manager;
    private final UiThread ui;
    private final Supplier<Lesson> open;
    private Lesson lesson;
    private final java.util.Map<Step, ReadOnlyObjectWrapper<State>> states = new java.util.EnumMap<>(Step.class);
    private final java.util.Map<Step, ReadOnlyStringWrapper> results = new java.util.EnumMap<>(Step.class);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final ObservableList<double[]> losses = FXCollections.observableArrayList();
    private final java.util.List<double[]> pendingLosses = new java.util.ArrayList<>(); // the job's thread only
    private final ObservableList<Studies.Point> shots = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Lesson.Both> both = new ReadOnlyObjectWrapper<>(this, "both");
    private final ReadOnlyObjectWrapper<Step> shown = new ReadOnlyObjectWrapper<>(this, "shown", Step.GENERAL);
    private volatile Job<?> running;
    private final JobProgress progress;
    /** How long closing waits for a cancelled step to leave the lesson's models. */
    private static final long CLOSE_WAIT_SECONDS = 120;

    /** @param open opens the lesson (loads its model copies) the first time a step runs */
    public LessonViewModel(ModelManager manager, UiThread ui, Supplier<Lesson> open) {
        this.manager = manager;
        this.ui = ui;
        this.open = open;
        this.progress = new JobProgress(ui);
        for (Step s : Step.values()) {
            states.put(s, new ReadOnlyObjectWrapper<>(this, s.name(), State.READY));
            results.put(s, new ReadOnlyStringWrapper(this, s.name(), ""));
        }
    }

    /**
     * Forgets the lesson opened so far (its model copies are freed) and its results, so the next
     * step opens it afresh on the model loaded then; nothing happens while a step runs.
     */
    public void reset() {
        if (busy.get()) {
            return;
        }
        synchronized (this) {
            if (lesson != null) {
                lesson.close();
                lesson = null;
            }
        }
        for (Step s : Step.values()) {
            states.get(s).set(State.READY);
            results.get(s).set("");
        }
        losses.clear();
        shots.clear();
        both.set(null);
    }

    /** Runs one step (the last needs practice first: it runs practice before it when needed). */
    public void run(Step step) {
        if (busy.get()) {
            return;
        }
        busy.set(true);
        shown.set(step);
        states.get(step).set(State.RUNNING);
        results.get(step).set("running…");
        if (step == Step.PRACTICE) {
            losses.clear();
        }
        JobProgress.Run bar = progress.start(this::cancel);
        Job<String> job = manager.submitStandalone("lesson: " + step.name().toLowerCase(Locale.ROOT),
                Job.Priority.EVALUATION, ctx -> {
                    Lesson l = lesson(); // the first step opens it: its model copies load before the bar moves
                    bar.begin();
                    return runStep(step, l, ctx::isCancelled, bar);
                });
        running = job;
        job.future().whenComplete((text, e) -> ui.run(() -> {
            running = null;
            if (e != null) {
                states.get(step).set(State.FAILED);
                results.get(step).set(Errors.message(e));
            } else {
                states.get(step).set(State.DONE);
                results.get(step).set(text);
            }
            bar.end();
            busy.set(false);
        }));
    }

    /** Runs {@code step} on the lesson's job, its share done to {@code bar}; returns its one-line result. */
    private String runStep(Step step, Lesson l, java.util.function.BooleanSupplier stop, JobProgress.Run bar) {
        return switch (step) {
            case GENERAL -> general(l.general(stop, bar));
            case PRACTICE -> {
                Lesson.Practice p = l.practice(this::feed, stop, bar);
                flushLosses();
                yield practice(p);
            }
            case IMPROVISE -> improvise(l.improvise(stop, bar));
            case BOTH -> {
                if (!l.practised()) {
                    ui.run(() -> losses.clear()); // it practises first
                }
                Lesson.Both b = l.both(this::feed, stop, bar);
                flushLosses();
                yield both(b);
            }
        };
    }

    /**
     * Collects the practice loss and hands it to the chart ten steps at a time: a redraw per step
     * would cost the training more than the step itself.
     */
    private void feed(dev.scales.core.train.TrainingEvent.Step st) {
        pendingLosses.add(new double[] {st.step(), st.trainLoss()});
        if (st.step() % 10 == 0 || st.step() == st.totalSteps()) {
            flushLosses();
        }
    }

    private void flushLosses() {
        java.util.List<double[]> batch = java.util.List.copyOf(pendingLosses);
        pendingLosses.clear();
        if (!batch.isEmpty()) {
            ui.run(() -> losses.addAll(batch));
        }
    }

    private synchronized Lesson lesson() {
        if (lesson == null) {
            lesson = open.get();
        }
        return lesson;
    }

    private static String general(Lesson.General g) {
        return String.format(Locale.ROOT, "Zero-shot accuracy %.0f%% (chance is 50%%) · perplexity on unseen general "
                + "text %.2f · \"%s\" → \"%s\"", 100 * g.zeroShotAccuracy(), g.perplexity(), g.prompt(),
                g.continuation().strip());
    }

    private static String practice(Lesson.Practice p) {
        return String.format(Locale.ROOT, "%d steps in %.1f s · loss %.2f → %.2f · zero-shot accuracy now %.0f%%",
                p.losses().size(), p.millis() / 1000.0, p.losses().get(0), p.losses().get(p.losses().size() - 1),
                100 * p.zeroShotAccuracy());
    }

    private String improvise(Lesson.Improvise i) {
        ui.run(() -> shots.setAll(i.points()));
        Studies.Point first = i.points().get(0);
        Studies.Point last = i.points().get(i.points().size() - 1);
        double gain = last.mean() - first.mean();
        return String.format(Locale.ROOT, "k = 0: %.0f%% · k = %d: %.0f%% ± %.0f — %s", 100 * first.mean(),
                (int) last.x(), 100 * last.mean(), 100 * last.std(), Math.abs(gain) < 0.05
                        ? "the demonstrations did not help this model"
                        : gain > 0 ? "accuracy rose with demonstrations" : "accuracy fell with demonstrations");
    }

    private String both(Lesson.Both b) {
        ui.run(() -> both.set(b));
        return String.format(Locale.ROOT, "fine-tuned + %d shots %.0f%% · perplexity %.2f → %.2f (%+.0f%%: %s; "
                + "after this lesson's practice, %d examples — Compare's experiments fine-tune with their own settings, "
                + "so their \"after\" differs)", Lesson.SHOTS.get(Lesson.SHOTS.size() - 1), 100 * b.tunedFewShot(),
                b.perplexityBefore(), b.perplexityAfter(), 100 * b.forgetting(),
                b.forgetting() > 0.05 ? "it forgot some general text" : "little forgotten", Lesson.TRAINING_EXAMPLES);
    }

    public void cancel() {
        Job<?> job = running;
        if (job != null) {
            job.cancel();
        }
    }

    public ReadOnlyObjectProperty<State> stateProperty(Step step) {
        return states.get(step).getReadOnlyProperty();
    }

    public ReadOnlyStringProperty resultProperty(Step step) {
        return results.get(step).getReadOnlyProperty();
    }

    /** The step under way: its share done (evaluations and training steps), the time left, its Cancel. */
    public JobProgress progress() {
        return progress;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** The step whose chart is on show. */
    public ReadOnlyObjectProperty<Step> shownProperty() {
        return shown.getReadOnlyProperty();
    }

    public void show(Step step) {
        shown.set(step);
    }

    /** (step, training loss) of the practice run, as it goes. */
    public ObservableList<double[]> losses() {
        return losses;
    }

    /** Accuracy against the number of shots, after the improvisation step. */
    public ObservableList<Studies.Point> shots() {
        return shots;
    }

    public ReadOnlyObjectProperty<Lesson.Both> bothProperty() {
        return both.getReadOnlyProperty();
    }

    /** What each step explains, beside its chart. */
    public static String explanation(Step step) {
        return switch (step) {
            case GENERAL -> "Initial training. The bundled model learned from millions of words about a small world. "
                    + "Before any lesson: does it already tell good reviews from bad ones, and how well does it "
                    + "predict general text it never saw (perplexity: lower is better)?";
            case PRACTICE -> "Practice is fine-tuning. Like a pianist practising one piece, the model trains on 64 "
                    + "labelled reviews (LoRA adapters). Watch the loss fall, then test it with no "
                    + "examples in the prompt.";
            case IMPROVISE -> "Improvisation is in-context learning. No training: the prompt shows k labelled reviews, "
                    + "then asks about a new one. Does accuracy rise with k? Three draws of examples per k.";
            case BOTH -> "Both combined: the practised model also gets examples in its prompt. And what did practice "
                    + "cost? Perplexity on general text before and after fine-tuning measures what it forgot.";
        };
    }

    /**
     * Cancels a running step, waits until its job has left the lesson's models (a step checks for
     * cancellation between its evaluations and training steps), then frees them. Freeing them under
     * a running step would pull native memory from under it.
     */
    @Override
    public void close() {
        Job<?> job = running;
        cancel();
        if (job != null) {
            try {
                job.future().get(CLOSE_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                // ended by the cancellation (or failed): either way it no longer runs
            } catch (java.util.concurrent.TimeoutException e) {
                return; // still running: leave its models to the process's end rather than free them under it
            }
        }
        synchronized (this) {
            if (lesson != null) {
                lesson.close();
                lesson = null;
            }
        }
    }
}
