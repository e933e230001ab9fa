package dev.scales.cli;

import dev.scales.core.data.LabelledData;
import picocli.CommandLine.Option;

/** Which fields of labelled rows hold the input and the label, and what the label values stand for. */
final class FieldOptions {
    @Option(names = "--input-field", defaultValue = "input", paramLabel = "NAME[,NAME…]", description = "The field holding the "
            + "input (default: ${DEFAULT-VALUE}); several fields, comma-separated, fill a template's slots of the "
            + "same names, e.g. premise,hypothesis for {premise} and {hypothesis}.")
    String inputField;

    @Option(names = "--label-field", defaultValue = "label", description = "The field holding the label (default: "
            + "${DEFAULT-VALUE}).")
    String labelField;

    @Option(names = "--label-names", paramLabel = "MAP", description = "What the label values stand for, e.g. "
            + "\"0=negative, 1=positive\".")
    String labelNames;

    LabelledData.Fields fields() {
        return new LabelledData.Fields(inputField, labelField, LabelledData.Fields.parseLabelNames(labelNames));
    }
}
