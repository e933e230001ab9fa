package dev.scales.core.data;

import dev.scales.core.ScalesException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Rows of named text fields from a dataset file: CSV (a {@code .csv} file, its header row naming
 * the columns) or JSON Lines (anything else). Rows that cannot be read — malformed JSON, a CSV row
 * with the wrong number of cells — come back as problems with their line, never dropped silently.
 */
public final class Records {
    private Records() {}

    /** The field names (the CSV header, or every JSON key in order of first appearance), rows and problems. */
    public record Table(List<String> fields, List<Jsonl.Row> rows, List<Jsonl.Problem> problems) {
        public Table {
            fields = List.copyOf(fields);
            rows = List.copyOf(rows);
            problems = List.copyOf(problems);
        }
    }

    public static boolean isCsv(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    }

    public static Table read(Path file) {
        if (isCsv(file)) {
            return csv(file);
        }
        Jsonl.Result r = Jsonl.read(file);
        LinkedHashSet<String> names = new LinkedHashSet<>();
        r.rows().forEach(row -> names.addAll(row.fields().keySet()));
        return new Table(List.copyOf(names), r.rows(), r.problems());
    }

    private static Table csv(Path file) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(false).get();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(in, format)) {
            List<String> header = parser.getHeaderNames();
            List<Jsonl.Row> rows = new ArrayList<>();
            List<Jsonl.Problem> problems = new ArrayList<>();
            for (CSVRecord rec : parser) {
                int line = (int) rec.getRecordNumber() + 1; // the header is line 1
                if (!rec.isConsistent()) {
                    problems.add(new Jsonl.Problem(file, line, "expected " + header.size() + " columns " + header
                            + ", found " + rec.size()));
                    continue;
                }
                Map<String, String> fields = new LinkedHashMap<>();
                header.forEach(h -> fields.put(h, rec.get(h)));
                rows.add(new Jsonl.Row(line, fields));
            }
            return new Table(header, rows, problems);
        } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
            throw new ScalesException(file + ": not a readable CSV file (" + e.getMessage() + ")", e);
        }
    }
}
