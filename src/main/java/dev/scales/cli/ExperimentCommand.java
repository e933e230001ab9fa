package dev.scales.cli;

import dev.scales.core.ScalesException;
import dev.scales.core.experiment.Experiment;
import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.ExperimentReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scales experiment run FILE --out DIR}: the compare view's experiment, headless. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a comparison of in-context learning and fine-tuning described by an experiment file.",
        subcommands = {ExperimentCommand.Run.class})
final class ExperimentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run FILE and write results.json, grid.csv, outputs.csv, labelled.csv and the charts to --out.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", description = "The experiment file (see docs/EXPERIMENTS.md).")
        Path file;

        @Option(names = "--out", required = true, description = "The folder for the results.")
        Path out;

        @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
                description = "auto, cpu, gpu0, gpu1… (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter for the experiment's "
                + "model, merged into its weights first: the experiment then compares on the adapted model.")
        Path adapter;

        @Option(names = "--chat", description = "Write prompts and training rows with the model's chat template.")
        boolean chat;

        @Option(names = "--workers", defaultValue = "0", paramLabel = "N",
                description = "Cells (seeds, labelled sizes) run side by side after the first seed, each on a copy "
                        + "of the model with one thread; 0: one per core for a model of at most 64 MB on the CPU, "
                        + "else 1 (default: ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--trust-paths", description = "Read the files the experiment names even where they lie "
                + "outside its folder and Scales' own folders.")
        boolean trustPaths;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            Experiment e = Experiment.read(file);
            List<String> outside = e.outside(file);
            if (!outside.isEmpty() && !trustPaths) {
                throw new ScalesException(file + ": reads files outside its folder and Scales' own folders ("
                        + String.join("; ", outside) + "); check them, then run again with --trust-paths");
            }
            if (workers < 0) {
                throw new ScalesException("--workers must be 0 (automatic) or more, not " + workers);
            }
            long start = System.nanoTime();
            dev.scales.core.Offline.configure();
            ai.djl.Device d = dev.scales.core.device.Devices.resolve(device, ai.djl.engine.Engine.getEngine("PyTorch"));
            ExperimentRun.Results r = ExperimentRun.run(e, d, new ExperimentRun.Base(adapter, chat), workers, m -> {
                o.printf(Locale.ROOT, "[%5.1f s] %s%n", (System.nanoTime() - start) / 1e9, m);
                o.flush();
            }, () -> false);
            ExperimentReport.write(r, out);
            for (ExperimentRun.Cell c : r.grid()) {
                o.printf(Locale.ROOT, "%-24s accuracy %.3f ± %.3f  macro-F1 %.3f%n", c.method(), c.accuracy().mean(),
                        c.accuracy().std(), c.macroF1().mean());
            }
            o.println("wrote " + out.resolve("results.json"));
            return 0;
        }
    }
}
