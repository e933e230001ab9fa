package dev.scales.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: {@code java -jar scales.jar <command>}. */
@Command(name = "scales", mixinStandardHelpOptions = true, versionProvider = ScalesCommand.Version.class,
        description = "Scales: compare fine-tuning and in-context learning of language models.%n"
                + "Run with no arguments to open the app.",
        subcommands = {InfoCommand.class, GenerateCommand.class, ScoreCommand.class, EvalCommand.class,
            FinetuneCommand.class, BenchCommand.class, PretrainCommand.class, SamplesCommand.class, ResultsCommand.class, ExperimentCommand.class,
            CommandLine.HelpCommand.class})
public final class ScalesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The command line as the jar runs it: enum values in any case, user errors as one line. */
    static CommandLine commandLine() {
        return new CommandLine(new ScalesCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(ScalesCommand::report);
    }

    /** A user's mistake (bad file, bad value) is one line naming it, exit code 2; a bug keeps its stack trace. */
    private static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof dev.scales.core.ScalesException) {
            cmd.getErr().println("error: " + e.getMessage());
            cmd.getErr().flush();
            return 2;
        }
        throw e;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ScalesCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Scales " + (v == null ? "dev" : v)};
        }
    }
}
