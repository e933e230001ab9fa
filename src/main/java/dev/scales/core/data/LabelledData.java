package dev.scales.core.data;

import dev.scales.core.ScalesException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

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

    /** Which field holds the input and which the label (or expected answer). */
    public record Fields(String input, String label) {
        public static final Fields DEFAULT = new Fields("input", "label");
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
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                 CSVParser parser = CSVParser.parse(in, format)) {
                return List.copyOf(parser.getHeaderNames());
            } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
                throw new ScalesException(file + ": not a readable CSV file (" + e.getMessage() + ")", e);
            }
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        Jsonl.read(file).rows().forEach(r -> names.addAll(r.fields().keySet()));
        return List.copyOf(names);
    }

    /** The input and label fields, when the names say which they are (case aside); else empty. */
    public static java.util.Optional<Fields> guess(List<String> fields) {
        String input = pick(fields, INPUT_NAMES);
        String label = pick(fields, LABEL_NAMES);
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
        return read(file, fields.input(), fields.label());
    }

    public static Result read(Path file, String inputField, String labelField) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".csv") ? csv(file, inputField, labelField) : jsonl(file, inputField, labelField);
    }

    private static Result jsonl(Path file, String inputField, String labelField) {
        Jsonl.Result r = Jsonl.read(file);
        List<Row> rows = new ArrayList<>();
        List<Jsonl.Problem> problems = new ArrayList<>(r.problems());
        for (Jsonl.Row row : r.rows()) {
            String in = row.fields().get(inputField);
            String label = row.fields().get(labelField);
            if (in == null || label == null || label.isEmpty()) {
                problems.add(new Jsonl.Problem(file, row.line(), "needs \"" + inputField + "\" and \"" + labelField
                        + "\", found " + row.fields().keySet()));
            } else {
                rows.add(new Row(row.line(), in, label));
            }
        }
        problems.sort(java.util.Comparator.comparingInt(Jsonl.Problem::line));
        return new Result(rows, problems);
    }

    private static Result csv(Path file, String inputField, String labelField) {
        List<Row> rows = new ArrayList<>();
        List<Jsonl.Problem> problems = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(false).get();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(in, format)) {
            if (!parser.getHeaderMap().containsKey(inputField) || !parser.getHeaderMap().containsKey(labelField)) {
                throw new ScalesException(file + ": the header " + parser.getHeaderNames() + " lacks \"" + inputField
                        + "\" or \"" + labelField + "\"");
            }
            for (CSVRecord rec : parser) {
                int line = (int) rec.getRecordNumber() + 1; // the header is line 1
                if (!rec.isConsistent() || !rec.isSet(inputField) || !rec.isSet(labelField)
                        || rec.get(labelField).isEmpty()) {
                    problems.add(new Jsonl.Problem(file, line, "expected " + parser.getHeaderNames().size()
                            + " columns with a non-empty \"" + labelField + "\", found " + rec.size()));
                    continue;
                }
                rows.add(new Row(line, rec.get(inputField), rec.get(labelField)));
            }
        } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new ScalesException(file + ": not a readable CSV file (" + e.getMessage() + ")", e);
        }
        return new Result(rows, problems);
    }
}
