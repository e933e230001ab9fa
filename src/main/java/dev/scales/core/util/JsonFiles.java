package dev.scales.core.util;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON files that must hold one object, read with errors that name the file. */
public final class JsonFiles {
    private JsonFiles() {}

    /** The object in {@code file}; unreadable, invalid or other JSON is a {@link ScalesException} naming it. */
    public static JsonObject readObject(Path file) {
        JsonElement root;
        try {
            root = JsonParser.parseString(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            throw new ScalesException(file + ": not readable JSON (" + e.getMessage() + ")", e);
        }
        if (!root.isJsonObject()) {
            throw new ScalesException(file + ": expected a JSON object");
        }
        return root.getAsJsonObject();
    }
}
