package dev.scales.cli;

import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scales samples}: writes the generated sample tasks (what {@code sample-data/} holds). */
@Command(name = "samples", mixinStandardHelpOptions = true,
        description = "Write the sample tasks generated from the bundled model's world: sentiment, topic, novel "
                + "(made-up words) with train/validation/test splits and prompt sets, and general/held-out.txt.")
final class SamplesCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "The folder to write (e.g. sample-data).")
    Path out;

    @Option(names = "--world-seed", description = "The world's seed; the bundled model's is 1 (default).")
    long worldSeed = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        new SampleTasks(new World(worldSeed)).write(out);
        spec.commandLine().getOut().println("wrote the sample tasks to " + out);
        return 0;
    }
}
