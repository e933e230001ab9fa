package dev.scales.ui.finetune;

import dev.scales.core.device.ModelManager;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.TrainingEvent;
import dev.scales.ui.common.Coalescer;
import dev.scales.ui.common.UiThread;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;

/**
 * How long the FX thread is blocked while the loss chart follows a long training run: a trainer
 * thread emits {@code points} steps (and an evaluation every 500) at a fixed rate through the same
 * {@link Coalescer} the pane uses, while a heartbeat posts a task to the FX thread every 5 ms and
 * records how late each one ran — the longest delay is the longest the UI froze. Run once as the
 * pane does (a redraw at most every {@link FineTuneViewModel#CHART_INTERVAL_MILLIS} ms) and once, as
 * the reference, redrawing for every batch as soon as the FX thread is free, side by side in one
 * process; {@code --plain} swaps the chart's sampling renderer for JFreeChart's plain line renderer
 * in both. Needs a running JavaFX toolkit (a display, or Xvfb).
 */
public final class LossChartBench {
    private LossChartBench() {}

    /** Delays of the heartbeat, in milliseconds, and how the points arrived. */
    public record Result(String renderer, int points, int batches, double maxMillis, double p99Millis,
                         double meanMillis, double seconds) {}

    /**
     * {@code java -cp target/scales.jar dev.scales.ui.finetune.LossChartBench [--points 100000]
     * [--rate 5000] [--rounds 2] [--plain]}: both ways, alternately, then one JSON line per run.
     */
    public static void main(String[] args) throws Exception {
        int points = 100_000;
        int rate = 5_000;
        int rounds = 2;
        boolean plain = false;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--plain")) {
                plain = true;
                i--;
                continue;
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--points" -> points = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Platform.startup(() -> { });
        Platform.setImplicitExit(false);
        List<Result> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            results.add(run(points, rate, !plain, 0));
            results.add(run(points, rate, !plain, FineTuneViewModel.CHART_INTERVAL_MILLIS));
        }
        for (Result r : results) {
            System.out.printf(java.util.Locale.ROOT, "{\"renderer\": \"%s\", \"points\": %d, \"batches\": %d, "
                    + "\"max_ms\": %.1f, \"p99_ms\": %.1f, \"mean_ms\": %.2f, \"seconds\": %.1f}%n", r.renderer(),
                    r.points(), r.batches(), r.maxMillis(), r.p99Millis(), r.meanMillis(), r.seconds());
        }
        Platform.exit();
    }

    public static Result run(int points, int stepsPerSecond, boolean sampled, long intervalMillis) throws Exception {
        ModelManager manager = new ModelManager();
        try {
            FineTuneViewModel vm = new FineTuneViewModel(manager, UiThread.FX, () -> new dev.scales.core.train.TrainingData.Format("", new PromptTemplate("{input}={output}\n")));
            CompletableFuture<Stage> shown = new CompletableFuture<>();
            Platform.runLater(() -> {
                LossChart chart = new LossChart(vm);
                if (!sampled) {
                    XYPlot plot = chart.chart().getXYPlot();
                    for (int i = 1; i <= 2; i++) { // the training and learning-rate lines
                        XYLineAndShapeRenderer plain = new XYLineAndShapeRenderer(true, false);
                        plain.setSeriesPaint(0, plot.getRenderer(i).getSeriesPaint(0));
                        plot.setRenderer(i, plain);
                    }
                }
                Stage stage = new Stage();
                stage.setScene(new Scene(chart, 1000, 600));
                stage.show();
                vm.beginRun("bench");
                shown.complete(stage);
            });
            Stage stage = shown.get(30, TimeUnit.SECONDS);
            List<Double> delays = java.util.Collections.synchronizedList(new ArrayList<>());
            int[] batches = new int[1];
            Coalescer<TrainingEvent> events = new Coalescer<>(UiThread.FX, intervalMillis, batch -> {
                batches[0]++;
                vm.addEvents(batch);
            });
            Thread heartbeat = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long posted = System.nanoTime();
                    Platform.runLater(() -> delays.add((System.nanoTime() - posted) / 1e6));
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "bench-heartbeat");
            heartbeat.setDaemon(true);
            heartbeat.start();
            Random random = new Random(7);
            long start = System.nanoTime();
            for (int step = 1; step <= points; step++) {
                double loss = 0.4 + 2.6 * Math.exp(-step / (points / 5.0)) + 0.15 * random.nextGaussian();
                events.add(new TrainingEvent.Step(step, points, 1, (float) loss, 1e-3f * Math.min(1, step / 1000f),
                        1.0, 5000, (System.nanoTime() - start) / 1_000_000, 0));
                if (step % 500 == 0) {
                    events.add(new TrainingEvent.Evaluation(step, loss * 1.05, Double.NaN));
                }
                long due = start + (long) (step * 1e9 / stepsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            CompletableFuture<Void> drained = new CompletableFuture<>();
            Platform.runLater(() -> Platform.runLater(() -> drained.complete(null)));
            drained.get(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            heartbeat.interrupt();
            heartbeat.join();
            Platform.runLater(stage::close);
            double[] d;
            synchronized (delays) {
                d = delays.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            }
            String way = (sampled ? "sampling" : "plain lines") + (intervalMillis > 0
                    ? ", at most one redraw per " + intervalMillis + " ms (the app)" : ", a redraw per batch (reference)");
            return new Result(way, points, batches[0],
                    d[d.length - 1], d[(int) Math.floor(0.99 * (d.length - 1))], Arrays.stream(d).average().orElse(0),
                    seconds);
        } finally {
            manager.close();
        }
    }
}
