package dev.scales.core.util;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes a CSV table (header, then rows) atomically, in UTF-8, quoting as RFC 4180 asks. A text
 * cell that a spreadsheet would read as a formula (it begins with =, +, -, @, a tab or a carriage
 * return) gets a leading apostrophe, so opening an export never runs what a dataset wrote.
 */
public final class CsvFiles {
    private CsvFiles() {}

    static Object inert(Object cell) {
        if (cell instanceof CharSequence text && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            return "'" + text;
        }
        return cell;
    }

    public static void write(Path file, List<String> header, List<? extends List<?>> rows) throws IOException {
        AtomicFiles.write(file, out -> {
            try (CSVPrinter p = new CSVPrinter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                    CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
                for (List<?> row : rows) {
                    p.printRecord(row.stream().map(CsvFiles::inert).toList());
                }
            }
        });
    }
}
