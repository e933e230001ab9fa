package dev.scales.cli;

import dev.scales.core.AppPaths;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.experiment.Studies;
import dev.scales.core.experiment.ResultsReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scales results}: regenerates docs/RESULTS.md and its charts. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = "Measure the bundled model on the sample tasks (in-context learning, fine-tuning, both at equal "
                + "data, forgetting, prompt sensitivity, made-up words) and write docs/RESULTS.md with its charts.")
final class ResultsCommand implements Callable<Integer> {
    @Option(names = "--model", description = "The model folder (default: the bundled scales-tiny).")
    Path model;

    @Option(names = "--out", defaultValue = "docs/RESULTS.md", description = "The report (default: ${DEFAULT-VALUE}); "
            + "charts go to results/ beside it.")
    Path out;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds per figure (default: ${DEFAULT-VALUE}).")
    int seeds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Path folder = model != null ? model : AppPaths.bundledModel();
        Studies.Plan full = Studies.Plan.FULL;
        Studies.Plan plan = new Studies.Plan(seeds, full.shots(), full.labelled(), full.learningRates(),
                full.forgettingSteps(), full.fineTuneSteps(), full.novelFineTuneSteps());
        Studies.Results r = new Studies(folder, new SampleTasks(new World(1)), plan, m -> {
            o.println(m);
            o.flush();
        }).run();
        String command = "java -jar target/scales.jar results"
                + (model != null ? " --model " + model : "") + (seeds != 5 ? " --seeds " + seeds : "");
        ResultsReport.write(r, folder, out.toAbsolutePath(), command);
        o.println("wrote " + out);
        return 0;
    }
}
