package dev.scales.core.data;

import dev.scales.core.ScalesException;
import dev.scales.core.prompt.NamedFields;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled test set from JSONL ({@code {"input": …, "label": …}}, field names configurable) or
 * CSV with a header row naming the columns. Rows lacking a field are reported with their line.
 */
public final class LabelledData {
    private LabelledData() {}

    /** One example: its text, its gold label and where it came from. */
    public record Row(int line, String input, String label) {}

    /** The rows read and the ones that could not be used. */
    public record Result(List<Row> rows, List<Jsonl.Problem> problems) {
        public Result {
            rows = List.copyOf(rows);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Which field holds the input and which the label (or expected answer), and what the label
     * values stand for: {@code labelNames} maps a value as stored to the label it means
     * ({@code "0" → "negative"}); empty when the values are the labels. {@code input} may name
     * several fields separated by commas ({@code "premise, hypothesis"}), for a template with a slot
     * for each: a row's input is then written as {@link NamedFields} lines.
     */
    public record Fields(String input, String label, java.util.Map<String, String> labelNames) {
        public static final Fields DEFAULT = new Fields("input", "label");

        public Fields {
            if (input == null || input.isBlank() || label == null || label.isBlank()) {
                throw new ScalesException("both an input field and a label field must be named");
            }
            if (inputsOf(input).contains(label)) {
                throw new ScalesException("the label field \"" + label + "\" cannot also be an input field");
            }
            labelNames = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labelNames));
        }

        public Fields(String input, String label) {
            this(input, label, java.util.Map.of());
        }

        /** Several input fields (for a template with a slot for each) and the label field. */
        public static Fields of(List<String> inputs, String label, java.util.Map<String, String> labelNames) {
            return new Fields(String.join(", ", inputs), label, labelNames);
        }

        /** The input fields' names, in order. */
        public List<String> inputs() {
            return inputsOf(input);
        }

        private static List<String> inputsOf(String input) {
            return java.util.Arrays.stream(input.split(",")).map(String::strip).filter(n -> !n.isEmpty()).distinct()
                    .toList();
        }

        /**
         * A row's input: the input field's value, or with several input fields one {@code name: value}
         * line each; null when a field is missing.
         */
        public String inputOf(java.util.Map<String, String> row) {
            List<String> names = inputs();
            if (names.size() == 1) {
                return row.get(names.get(0));
            }
            java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
            for (String n : names) {
                if (row.get(n) == null) {
                    return null;
                }
                values.put(n, row.get(n));
            }
            return NamedFields.join(values);
        }

        /** The label a stored value stands for, or null when a label map is given and lacks it. */
        public String labelOf(String value) {
            return labelNames.isEmpty() ? value : labelNames.get(value);
        }

        /**
         * A label map as people write it: {@code "0=negative, 1=positive"} (also {@code 0:negative}
         * or {@code 0→negative}); blank for none. A part without a separator is refused, naming it.
         */
        public static java.util.Map<String, String> parseLabelNames(String text) {
            java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
            if (text == null || text.isBlank()) {
                return map;
            }
            for (String part : text.split(",")) {
                String[] kv = part.split("=|:|→", 2);
                if (kv.length < 2 || kv[0].isBlank() || kv[1].isBlank()) {
                    throw new ScalesException("label names: \"" + part.strip() + "\" should read value=label, "
                            + "e.g. 0=negative");
                }
                if (map.put(kv[0].strip(), kv[1].strip()) != null) {
                    throw new ScalesException("label names: \"" + kv[0].strip() + "\" is named twice");
                }
            }
            return map;
        }

        /** The label map as {@link #parseLabelNames} reads it. */
        public String labelNamesText() {
            return String.join(", ", labelNames.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
    }

    /** Field names commonly holding the input, then the label, in order of preference. */
    private static final List<String> INPUT_NAMES = List.of("input", "text", "sentence", "review", "question",
            "prompt", "query", "x");
    private static final List<String> LABEL_NAMES = List.of("label", "output", "answer", "target", "class",
            "category", "sentiment", "topic", "completion", "y");

    /**
     * The field names of a test set: a CSV file's header, or every key of a JSONL file's objects in
     * order of first appearance.
     */
    public static List<String> fields(Path file) {
        return Records.read(file).fields();
    }

    /** As {@link #fields}, none when the file cannot be read (reading its rows then says why). */
    public static List<String> fieldsOrNone(Path file) {
        try {
            return fields(file);
        } catch (ScalesException e) {
            return List.of();
        }
    }

    /** The input and label fields, when the names say which they are (case aside); else empty. */
    public static java.util.Optional<Fields> guess(List<String> fields) {
        return guess(fields, List.of());
    }

    /**
     * As {@link #guess(List)}, preferring a template's slots as the input fields when the data has
     * them all ({@code {premise}} and {@code {hypothesis}}, or a single {@code {review}}).
     */
    public static java.util.Optional<Fields> guess(List<String> fields, List<String> slots) {
        String label = pick(fields, LABEL_NAMES);
        if (label != null && !slots.isEmpty() && fields.containsAll(slots) && !slots.contains(label)) {
            return java.util.Optional.of(Fields.of(slots, label, java.util.Map.of()));
        }
        String input = pick(fields, INPUT_NAMES);
        return input == null || label == null || input.equals(label) ? java.util.Optional.empty()
                : java.util.Optional.of(new Fields(input, label));
    }

    private static String pick(List<String> fields, List<String> preferred) {
        for (String want : preferred) {
            for (String f : fields) {
                if (f.equalsIgnoreCase(want)) {
                    return f;
                }
            }
        }
        return null;
    }

    public static Result read(Path file, Fields fields) {
        return of(file, Records.read(file), fields);
    }

    public static Result read(Path file, String inputField, String labelField) {
        return read(file, new Fields(inputField, labelField));
    }

    /** The labelled rows of a table already read from {@code file} (by {@link Records#read}). */
    public static Result of(Path file, Records.Table t, Fields fields) {
        String inputField = fields.input();
        String labelField = fields.label();
        List<String> wanted = new ArrayList<>(fields.inputs());
        wanted.add(labelField);
        if (Records.isCsv(file) && !t.fields().containsAll(wanted)) {
            throw new ScalesException(file + ": the header " + t.fields() + " lacks " + String.join(" or ",
                    wanted.stream().filter(w -> !t.fields().contains(w)).map(w -> "\"" + w + "\"").toList()));
        }
        List<Row> rows = new ArrayList<>();
        List<Jsonl.Problem> problems = new ArrayList<>(t.problems());
        for (Jsonl.Row row : t.rows()) {
            String in = fields.inputOf(row.fields());
            String label = row.fields().get(labelField);
            if (in == null || label == null || label.isEmpty()) {
                problems.add(new Jsonl.Problem(file, row.line(), "needs \"" + inputField + "\" and a non-empty \""
                        + labelField + "\", found " + row.fields().keySet()));
            } else if (fields.labelOf(label) == null) {
                problems.add(new Jsonl.Problem(file, row.line(), "label \"" + label + "\" is not one of the label "
                        + "names given (" + fields.labelNamesText() + ")"));
            } else {
                rows.add(new Row(row.line(), in, fields.labelOf(label)));
            }
        }
        problems.sort(java.util.Comparator.comparingInt(Jsonl.Problem::line));
        return new Result(rows, problems);
    }
}
