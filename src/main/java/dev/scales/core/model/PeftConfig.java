package dev.scales.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.util.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A PEFT {@code adapter_config.json} as far as Scales computes it: LoRA's rank, alpha, targets and
 * rsLoRA scaling. Every field is type-checked naming the file and the key; options that change what
 * the adapter computes and that Scales does not implement are refused by name.
 *
 * @param base {@code base_model_name_or_path}, or null when unset
 */
record PeftConfig(Path file, LoraConfig lora, LoraTargets targets, boolean rsLora, String base) {
    static PeftConfig read(Path dir, Architecture architecture) {
        Path file = dir.resolve("adapter_config.json");
        if (!Files.isRegularFile(file)) {
            throw new ScalesException(dir + ": not a PEFT adapter folder (adapter_config.json is missing)");
        }
        JsonObject o = JsonFiles.readObject(file);
        String type = string(o, "peft_type", file, "LORA");
        if (!type.equals("LORA")) {
            throw new ScalesException(file + ": \"peft_type\" is " + type + "; Scales reads LoRA adapters only");
        }
        refuseIf(bool(o, "use_dora", file), file, "\"use_dora\": DoRA adapters");
        refuseIf(!string(o, "bias", file, "none").equals("none"), file, "\"bias\": trained biases");
        refuseIf(present(o, "modules_to_save"), file, "\"modules_to_save\": fully trained modules");
        refuseIf(present(o, "rank_pattern") || present(o, "alpha_pattern"), file,
                "\"rank_pattern\"/\"alpha_pattern\": ranks or alphas that differ per module");
        refuseIf(present(o, "layers_to_transform"), file, "\"layers_to_transform\": adapters on some layers only");
        int rank = integer(o, "r", file, 8);
        double alpha = number(o, "lora_alpha", file, 8);
        double dropout = number(o, "lora_dropout", file, 0);
        LoraTargets targets;
        List<String> names = new ArrayList<>();
        JsonElement t = o.get("target_modules");
        if (t == null || t.isJsonNull()) {
            names.addAll(architecture.peftDefaultTargets());
            targets = LoraTargets.names(names);
        } else if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) {
            try {
                targets = LoraTargets.of(t.getAsString());
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new ScalesException(file + ": \"target_modules\" is not a valid regular expression ("
                        + e.getDescription() + ")");
            }
            names.add(t.getAsString());
        } else if (t.isJsonArray() && !t.getAsJsonArray().isEmpty()) {
            for (JsonElement e : t.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new ScalesException(file + ": \"target_modules\" must list module names, found " + e);
                }
                names.add(e.getAsString());
            }
            targets = LoraTargets.names(names);
        } else {
            throw new ScalesException(file + ": \"target_modules\" must be a list of names or a regular expression, "
                    + "found " + t);
        }
        LoraConfig lora;
        try {
            lora = new LoraConfig(rank, (float) alpha, (float) dropout, names);
        } catch (ScalesException e) {
            throw new ScalesException(file + ": " + e.getMessage(), e);
        }
        String base = present(o, "base_model_name_or_path") ? string(o, "base_model_name_or_path", file, null) : null;
        return new PeftConfig(file, lora, targets, bool(o, "use_rslora", file), base);
    }

    /**
     * Refuses {@code model} when the adapter names another base: the last part of
     * {@code base_model_name_or_path} ("Qwen/Qwen2.5-0.5B" → "Qwen2.5-0.5B") must be the model's
     * folder (or hub) name.
     */
    void checkBase(LoadedModel model) {
        if (base == null || base.isBlank()) {
            return;
        }
        String wanted = last(base);
        String have = last(model.name());
        if (!wanted.equalsIgnoreCase(have) && !wanted.equalsIgnoreCase(last(model.folder().toString()))) {
            throw new ScalesException(file + ": the adapter was made for '" + base + "' (base_model_name_or_path), "
                    + "not for " + model.name() + "; load that model, or, if " + model.name() + " is the same model "
                    + "under another name, change base_model_name_or_path");
        }
    }

    private static String last(String name) {
        String s = name.replace('\\', '/');
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.substring(s.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    }

    private static void refuseIf(boolean refused, Path file, String what) {
        if (refused) {
            throw new ScalesException(file + ": " + what + " are not supported by Scales");
        }
    }

    private static boolean present(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && !e.isJsonNull() && !(e.isJsonObject() && e.getAsJsonObject().isEmpty())
                && !(e.isJsonArray() && e.getAsJsonArray().isEmpty());
    }

    private static String string(JsonObject o, String key, Path file, String absent) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ScalesException(file + ": \"" + key + "\" must be a string, found " + e);
        }
        return e.getAsString();
    }

    private static boolean bool(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return false;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new ScalesException(file + ": \"" + key + "\" must be true or false, found " + e);
        }
        return e.getAsBoolean();
    }

    private static double number(JsonObject o, String key, Path file, double absent) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new ScalesException(file + ": \"" + key + "\" must be a number, found " + e);
        }
        return e.getAsDouble();
    }

    private static int integer(JsonObject o, String key, Path file, int absent) {
        double v = number(o, key, file, absent);
        if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
            throw new ScalesException(file + ": \"" + key + "\" must be a positive integer, found " + o.get(key));
        }
        return (int) v;
    }
}
