package dev.scales.core.prompt;

import dev.scales.core.ScalesException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An input made of several named fields, written as text the way a user reads and edits it: one
 * {@code name: value} line per field ({@code "premise: A man sleeps.\nhypothesis: A person rests."}).
 * A value may span lines; it ends where the next field's {@code name:} begins a line. This text is
 * what examples, queries and test rows hold when a template has several slots
 * ({@code {premise}}, {@code {hypothesis}}), so every evaluator, study and table handles them as it
 * handles a single input.
 */
public final class NamedFields {
    private NamedFields() {}

    /** The fields as {@code name: value} lines, in the map's order. */
    public static String join(Map<String, String> fields) {
        List<String> lines = new ArrayList<>();
        fields.forEach((name, value) -> lines.add(name + ": " + value));
        return String.join("\n", lines);
    }

    /**
     * The value of each of {@code names} in {@code text} written by {@link #join}: a field begins
     * where a line starts with its name and a colon (the first such line), one space after the colon
     * is not part of the value. A name that begins no line is refused, naming it.
     */
    public static Map<String, String> split(String text, List<String> names) {
        record Start(String name, int at, int valueAt) {}
        List<Start> starts = new ArrayList<>();
        for (String name : names) {
            int at = lineStart(text, name + ":");
            if (at < 0) {
                throw new ScalesException("the input has no \"" + name + ":\" line for the template's {" + name
                        + "} (write one line per field: " + String.join(", ", names.stream()
                        .map(n -> "\"" + n + ": …\"").toList()) + "): \"" + PromptTemplate.escape(text) + "\"");
            }
            int valueAt = at + name.length() + 1;
            if (valueAt < text.length() && text.charAt(valueAt) == ' ') {
                valueAt++;
            }
            starts.add(new Start(name, at, valueAt));
        }
        starts.sort(Comparator.comparingInt(Start::at));
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < starts.size(); i++) {
            Start s = starts.get(i);
            int end = i + 1 < starts.size() ? starts.get(i + 1).at() - 1 : text.length();
            values.put(s.name(), text.substring(s.valueAt(), Math.max(end, s.valueAt())));
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        names.forEach(n -> ordered.put(n, values.get(n)));
        return ordered;
    }

    /** Where a line of {@code text} starts with {@code head}, or -1. */
    private static int lineStart(String text, String head) {
        if (text.startsWith(head)) {
            return 0;
        }
        int at = text.indexOf("\n" + head);
        return at < 0 ? -1 : at + 1;
    }
}
