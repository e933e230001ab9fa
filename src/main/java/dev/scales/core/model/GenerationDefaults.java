package dev.scales.core.model;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sampling defaults a model ships in {@code generation_config.json}; absent keys are null.
 * A malformed file is ignored with a warning: generation then uses Scales' own defaults
 * ({@code GenerationSettings.DEFAULT}, which these values override).
 */
public record GenerationDefaults(Double temperature, Integer topK, Double topP, Double repetitionPenalty,
                                 Integer maxNewTokens, Boolean doSample, List<Integer> eosTokenIds, JsonObject raw) {
    private static final Logger LOG = LoggerFactory.getLogger(GenerationDefaults.class);
    public static final GenerationDefaults NONE = new GenerationDefaults(null, null, null, null, null, null, List.of(),
            new JsonObject());

    public static GenerationDefaults read(Path file) {
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            List<Integer> eos = new ArrayList<>();
            if (o.has("eos_token_id") && !o.get("eos_token_id").isJsonNull()) {
                if (o.get("eos_token_id").isJsonArray()) {
                    o.getAsJsonArray("eos_token_id").forEach(e -> eos.add(e.getAsInt()));
                } else {
                    eos.add(o.get("eos_token_id").getAsInt());
                }
            }
            return new GenerationDefaults(num(o, "temperature"), o.has("top_k") ? o.get("top_k").getAsInt() : null,
                    num(o, "top_p"), num(o, "repetition_penalty"),
                    o.has("max_new_tokens") ? o.get("max_new_tokens").getAsInt() : null,
                    o.has("do_sample") ? o.get("do_sample").getAsBoolean() : null, List.copyOf(eos), o);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring {}: {}", file, e.getMessage());
            return NONE;
        }
    }

    private static Double num(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsDouble() : null;
    }
}
