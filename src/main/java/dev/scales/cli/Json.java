package dev.scales.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** JSON output of the commands: one compact object per line, floats as they are. */
final class Json {
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

    private Json() {}
}
