package dev.scales.core.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads JSON Lines: one JSON object per line, blank lines skipped. A malformed line is never
 * dropped silently: it is reported with its file and line number.
 */
public final class Jsonl {
    private Jsonl() {}

    /** One line's fields (values as text), with where it came from. */
    public record Row(int line, Map<String, String> fields) {
        public Row {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /** A line that could not be read, and why. */
    public record Problem(Path file, int line, String message) {
        @Override
        public String toString() {
            return file.getFileName() + ":" + line + ": " + message;
        }
    }

    /** The rows read and the lines that were malformed. */
    public record Result(List<Row> rows, List<Problem> problems) {
        public Result {
            rows = List.copyOf(rows);
            problems = List.copyOf(problems);
        }
    }

    /** Reads every line of {@code file}; malformed lines are returned as problems. */
    public static Result read(Path file) {
        List<Row> rows = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1); // a byte-order mark, as Windows editors write
                }
                try {
                    JsonElement el = strict(text);
                    if (!el.isJsonObject()) {
                        problems.add(new Problem(file, line, "expected a JSON object, found " + kind(el)));
                        continue;
                    }
                    rows.add(new Row(line, fields(el.getAsJsonObject())));
                } catch (JsonParseException e) {
                    problems.add(new Problem(file, line, "invalid JSON: " + rootMessage(e)));
                }
            }
        } catch (CharacterCodingException e) {
            throw new ScalesException(file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ScalesException(file + ": cannot read: " + e.getMessage(), e);
        }
        return new Result(rows, problems);
    }

    private static final com.google.gson.TypeAdapter<JsonElement> ELEMENT =
            new com.google.gson.Gson().getAdapter(JsonElement.class);

    /**
     * One JSON value, strictly: unquoted keys, single quotes, comments or trailing text (which
     * Gson accepts by default) are errors, not silently read as something else.
     */
    static JsonElement strict(String text) {
        try {
            com.google.gson.stream.JsonReader reader = new com.google.gson.stream.JsonReader(new java.io.StringReader(text));
            reader.setStrictness(com.google.gson.Strictness.STRICT);
            JsonElement el = ELEMENT.read(reader);
            if (reader.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new JsonParseException("text after the JSON value");
            }
            return el;
        } catch (com.google.gson.stream.MalformedJsonException e) {
            throw new JsonParseException(e.getMessage(), e);
        } catch (IOException e) {
            throw new JsonParseException(e.getMessage(), e);
        }
    }

    private static Map<String, String> fields(JsonObject o) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            JsonElement v = e.getValue();
            map.put(e.getKey(), v.isJsonNull() ? null : v.isJsonPrimitive() ? v.getAsString() : v.toString());
        }
        return map;
    }

    private static String kind(JsonElement el) {
        return el.isJsonArray() ? "an array" : el.isJsonNull() ? "null" : "a " + el.getClass().getSimpleName()
                .replace("Json", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
