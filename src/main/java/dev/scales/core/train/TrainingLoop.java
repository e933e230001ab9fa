package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The optimizer steps of a fine-tuning run: each epoch's batches in a seeded order, the training
 * loss reported every step (or every {@code logEvery} steps), the validation loss and the
 * checkpoints every {@code evalEvery} steps. It ends when the steps are done, when stopped, when the
 * loss is no longer finite (FAILED: the caller undoes the run) or, with patience, when the
 * validation loss stopped improving (the best evaluation's weights are put back).
 */
final class TrainingLoop {
    /**
     * What the loop trains: the tensors, their optimizer, the losses kept on the device between
     * reports (null: every step is read) and the weights at the best evaluation (null: no patience).
     */
    record Trained(List<NDArray> params, AdamW optimizer, LossInterval interval, Weights atBest) {}

    private final LoadedModel model;
    private final FineTuneSettings s;
    private final Consumer<TrainingEvent> listener;
    private final FineTuneRun.Control control;
    private final LoraAdapters adapters;
    private final List<FineTuneRun.Sequence> train;
    private final List<FineTuneRun.Sequence> validation;
    private final int total;
    private final Trained trained;
    private final long start = System.nanoTime();
    private long tokens;
    private double best = Double.NaN;
    private int step;
    private int sinceBest;
    private int bestStep;
    /** The epoch of the current (or last) step. */
    private int epoch;
    private boolean stoppedEarly;
    private TrainingEvent.Outcome outcome = TrainingEvent.Outcome.DONE;
    private String message = "finished";

    TrainingLoop(LoadedModel model, FineTuneSettings s, Consumer<TrainingEvent> listener, FineTuneRun.Control control,
                 LoraAdapters adapters, List<FineTuneRun.Sequence> train, List<FineTuneRun.Sequence> validation,
                 int total, Trained trained) {
        this.model = model;
        this.s = s;
        this.listener = listener;
        this.control = control;
        this.adapters = adapters;
        this.train = train;
        this.validation = validation;
        this.total = total;
        this.trained = trained;
    }

    /** Trains from {@code resumeStep} (0: the start) to the end; the run's end, reported to the listener too. */
    TrainingEvent.Finished run(int resumeStep) {
        int skip = resumeStep; // batches already trained before the checkpoint
        int group = s.batchSize() * s.accumulation(); // examples per optimizer step
        outer:
        for (int e = 0; step < total; e++) {
            epoch = e;
            List<FineTuneRun.Sequence> order = new ArrayList<>(train);
            Collections.shuffle(order, new Random(s.seed() * 31 + epoch));
            for (int first = 0; first < order.size() && step < total; first += group) {
                waitWhilePaused();
                if (control.stop().getAsBoolean()) {
                    outcome = TrainingEvent.Outcome.STOPPED;
                    message = "stopped at step " + step;
                    break outer;
                }
                if (skip > 0) {
                    skip--;
                    step++;
                    continue;
                }
                if (!step(order.subList(first, Math.min(order.size(), first + group)))) {
                    break outer;
                }
            }
        }
        return end();
    }

    /** One optimizer step on {@code examples}, its report, checkpoint and evaluation; false when the run ends here. */
    private boolean step(List<FineTuneRun.Sequence> examples) {
        List<TrainStep.Batch> micro = new ArrayList<>();
        for (int m = 0; m < examples.size(); m += s.batchSize()) {
            List<FineTuneRun.Sequence> b = examples.subList(m, Math.min(examples.size(), m + s.batchSize()));
            micro.add(new TrainStep.Batch(b.stream().map(FineTuneRun.Sequence::ids).toArray(long[][]::new),
                    b.stream().map(FineTuneRun.Sequence::weights).toArray(float[][]::new)));
        }
        float lr = s.learningRateAt(step, total);
        float loss = Float.NaN;
        double norm = Double.NaN;
        LossInterval interval = trained.interval();
        if (interval == null) {
            TrainStep.Result r = TrainStep.run(model, micro, trained.optimizer(), lr, s.maxGradNorm(), true);
            loss = r.loss();
            norm = r.gradNorm();
            if (!Float.isFinite(loss)) {
                return fail(loss, "at step " + (step + 1));
            }
        } else {
            interval.add(TrainStep.runKept(model, micro, trained.optimizer(), lr, s.maxGradNorm(), interval.scope()));
        }
        step++;
        for (TrainStep.Batch b : micro) {
            for (long[] row : b.ids()) {
                tokens += row.length - 1;
            }
        }
        if (interval != null && (step % s.logEvery() == 0 || step == total)) {
            int from = step - interval.steps() + 1;
            float[] read = interval.read();
            loss = read[0];
            norm = read[1];
            if (!Float.isFinite(loss)) {
                return fail(loss, "between steps " + from + " and " + step);
            }
        }
        if (!Float.isNaN(loss)) {
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            listener.accept(new TrainingEvent.Step(step, total, epoch, loss, lr, norm, rate(elapsed),
                    elapsed, elapsed * (total - step) / step));
        }
        betweenSteps();
        boolean evaluationDue = !validation.isEmpty() && (step % s.evalEvery() == 0 || step == total);
        return !evaluationDue || evaluate();
    }

    private boolean fail(float loss, String where) {
        outcome = TrainingEvent.Outcome.FAILED;
        message = "the loss became " + loss + " " + where + "; the run was undone, the model is as it was before it"
                + " (try a lower learning rate)";
        return false;
    }

    private double rate(long elapsedMillis) {
        return tokens / Math.max(1e-9, elapsedMillis / 1000.0);
    }

    /** Lets the jobs waiting between steps run (without dropout), then writes the last checkpoint when due. */
    private void betweenSteps() {
        if (adapters != null) {
            adapters.setTraining(false); // no dropout for whatever runs in between
        }
        control.betweenSteps().run();
        if (adapters != null) {
            adapters.setTraining(true);
        }
        if (control.checkpoints() != null && step % s.evalEvery() == 0 && step < total) {
            // a run killed later resumes from here (the end of the run writes its own)
            control.checkpoints().save("last", model, adapters, trained.optimizer(), step, epoch, Double.NaN);
        }
    }

    /** The validation loss and accuracy, the best checkpoint when better; false when patience runs out. */
    private boolean evaluate() {
        double v = FineTuneRun.loss(model, validation, s.batchSize());
        double accuracy = FineTuneRun.accuracy(model, validation);
        boolean better = Double.isNaN(best) || v < best;
        if (control.checkpoints() != null && better) {
            control.checkpoints().save("best", model, adapters, step, epoch, v);
        }
        if (better) {
            sinceBest = 0;
            bestStep = step;
            if (trained.atBest() != null) {
                trained.atBest().update(trained.params());
            }
        } else {
            sinceBest++;
        }
        best = Double.isNaN(best) ? v : Math.min(best, v);
        listener.accept(new TrainingEvent.Evaluation(step, v, accuracy));
        if (s.patience() > 0 && sinceBest >= s.patience()) {
            message = "stopped early at step " + step + ": the validation loss has not improved for "
                    + s.patience() + " evaluation(s); the weights of step " + bestStep + ", the best, are back";
            stoppedEarly = true;
            return false;
        }
        return true;
    }

    /** Reports the steps not yet reported, writes the last checkpoint, puts the best weights back if it stopped early. */
    private TrainingEvent.Finished end() {
        LossInterval interval = trained.interval();
        if (interval != null && interval.steps() > 0 && outcome != TrainingEvent.Outcome.FAILED) {
            // stopped between two reports: the steps since the last one are reported too
            float[] read = interval.read();
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            listener.accept(new TrainingEvent.Step(step, total, epoch, read[0], s.learningRateAt(step - 1, total),
                    read[1], rate(elapsed), elapsed, 0));
        }
        if (control.checkpoints() != null && step > 0) {
            control.checkpoints().save("last", model, adapters, trained.optimizer(), step, epoch, Double.NaN);
        }
        if (stoppedEarly) {
            trained.atBest().restore();
        }
        TrainingEvent.Finished finished = new TrainingEvent.Finished(step, outcome, message, best);
        listener.accept(finished);
        return finished;
    }

    /** Waits while the run is paused (and not stopped), letting the jobs between steps run meanwhile. */
    private void waitWhilePaused() {
        while (control.paused().getAsBoolean() && !control.stop().getAsBoolean()) {
            control.betweenSteps().run();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
