package dev.scales.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import java.util.ArrayList;
import java.util.List;

/** Reads a {@code config.json}'s keys, type-checked, with messages that name the file and the key. */
final class ConfigReader {
    final JsonObject o;
    final String where;

    ConfigReader(JsonObject o, String where) {
        this.o = o;
        this.where = where;
    }

    /** Whether the key is there with a value (null counts as absent). */
    boolean has(String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    /** The key's object, or null when absent or not an object. */
    JsonObject object(String key) {
        return o.has(key) && o.get(key).isJsonObject() ? o.getAsJsonObject(key) : null;
    }

    void require(boolean ok, String message) {
        if (!ok) {
            throw new ScalesException(where + ": " + message);
        }
    }

    int positive(String key) {
        require(o.has(key) && !o.get(key).isJsonNull(), "missing \"" + key + "\"");
        try {
            long v = o.get(key).getAsLong();
            require(v > 0 && v <= 10_000_000 && o.get(key).getAsDouble() == v,
                    "\"" + key + "\" must be a positive whole number, got " + o.get(key));
            return (int) v;
        } catch (NumberFormatException | IllegalStateException | UnsupportedOperationException e) {
            throw new ScalesException(where + ": \"" + key + "\" must be a number, got " + o.get(key));
        }
    }

    double positiveDouble(String key, double fallback) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return fallback;
        }
        try {
            double v = o.get(key).getAsDouble();
            require(v > 0 && Double.isFinite(v), "\"" + key + "\" must be positive, got " + o.get(key));
            return v;
        } catch (NumberFormatException | IllegalStateException | UnsupportedOperationException e) {
            throw new ScalesException(where + ": \"" + key + "\" must be a number, got " + o.get(key));
        }
    }

    double eps(String key, double fallback) {
        double v = positiveDouble(key, fallback);
        require(v < 1, "\"" + key + "\" must be below 1, got " + v);
        return v;
    }

    String string(String key, String fallback) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return fallback;
        }
        require(o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isString(),
                "\"" + key + "\" must be a string, got " + o.get(key));
        return o.get(key).getAsString();
    }

    boolean bool(String key, boolean fallback) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return fallback;
        }
        require(o.get(key).isJsonPrimitive() && o.get(key).getAsJsonPrimitive().isBoolean(),
                "\"" + key + "\" must be true or false, got " + o.get(key));
        return o.get(key).getAsBoolean();
    }

    /** A token id: absent, null or an empty list is none (-1); a list gives its first. */
    int tokenIdOrNone(String key, int vocab) {
        List<Integer> ids = tokenIds(key, vocab);
        return ids.isEmpty() ? -1 : ids.get(0);
    }

    /** Token ids: one whole number or a list of them, each inside the vocabulary. */
    List<Integer> tokenIds(String key, int vocab) {
        List<Integer> ids = new ArrayList<>();
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return ids;
        }
        JsonElement e = o.get(key);
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> ids.add(tokenId(key, x)));
        } else {
            ids.add(tokenId(key, e));
        }
        for (int id : ids) {
            require(id >= 0 && id < vocab, "\"" + key + "\" " + id + " is outside the vocabulary (" + vocab + ")");
        }
        return ids;
    }

    private int tokenId(String key, JsonElement e) {
        require(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()
                && e.getAsDouble() == Math.rint(e.getAsDouble()) && Math.abs(e.getAsDouble()) < Integer.MAX_VALUE,
                "\"" + key + "\" must be a token id (a whole number) or a list of them, got " + o.get(key));
        return e.getAsInt();
    }
}
