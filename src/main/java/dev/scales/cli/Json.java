package dev.scales.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * JSON output of the commands: one compact object per line. JSON has no NaN or Infinity: a value
 * that is not finite (a NaN loss, the log-probability of a first token) is written as null.
 */
final class Json {
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
            .serializeNulls().create();

    private Json() {}

    /** {@code value} as one line of valid JSON. */
    static String toJson(Object value) {
        return GSON.toJson(finite(value instanceof JsonElement e ? e : GSON.toJsonTree(value)));
    }

    /** A tree as {@code e}, with every non-finite number replaced by null. */
    static JsonElement finite(JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            return Double.isFinite(d) ? e : JsonNull.INSTANCE;
        }
        if (e.isJsonArray()) {
            JsonArray out = new JsonArray();
            e.getAsJsonArray().forEach(x -> out.add(finite(x)));
            return out;
        }
        if (e.isJsonObject()) {
            JsonObject out = new JsonObject();
            e.getAsJsonObject().entrySet().forEach(x -> out.add(x.getKey(), finite(x.getValue())));
            return out;
        }
        return e;
    }
}
