package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every command and every option says in `--help` what it is for. */
class HelpTextTest {
    @Test
    void everyOptionOfEveryCommandHasADescription() {
        List<String> bare = new ArrayList<>();
        collect(new CommandLine(new ScalesCommand()), bare);
        assertThat(bare).as("options without a description").isEmpty();
    }

    private static void collect(CommandLine line, List<String> bare) {
        CommandSpec spec = line.getCommandSpec();
        if (String.join("", spec.usageMessage().description()).isBlank()) {
            bare.add(spec.qualifiedName() + " (the command itself)");
        }
        for (OptionSpec option : spec.options()) {
            if (String.join("", option.description()).isBlank()) {
                bare.add(spec.qualifiedName() + " " + option.longestName());
            }
        }
        line.getSubcommands().values().forEach(sub -> collect(sub, bare));
    }
}
