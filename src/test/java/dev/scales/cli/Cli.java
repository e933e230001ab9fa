package dev.scales.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs a command in-process and keeps what it printed. */
record Cli(int exitCode, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = ScalesCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Cli(code, out.toString(), err.toString());
    }
}
