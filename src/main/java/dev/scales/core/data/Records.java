package dev.scales.core.data;

import dev.scales.core.ScalesException;
import java.io.IOException;
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
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ScalesException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ScalesException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // Excel's "CSV UTF-8" starts with a byte-order mark
        }
        int[] lineStarts = lineStarts(text);
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(false).get();
        try (CSVParser parser = CSVParser.parse(text, format)) {
            List<String> header = parser.getHeaderNames();
            List<Jsonl.Row> rows = new ArrayList<>();
            List<Jsonl.Problem> problems = new ArrayList<>();
            for (CSVRecord rec : parser) {
                // The physical line the record starts on: a quoted cell may span several lines.
                int line = lineOf(lineStarts, rec.getCharacterPosition());
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
        } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new ScalesException(file + ": not a readable CSV file (" + e.getMessage() + ")", e);
        }
    }

    /** Where each line of {@code text} begins (line 1 at 0). */
    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>(List.of(0));
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n')) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The 1-based line holding character {@code position}. */
    private static int lineOf(int[] lineStarts, long position) {
        int i = java.util.Arrays.binarySearch(lineStarts, (int) position);
        return (i >= 0 ? i : -i - 2) + 1;
    }
}
