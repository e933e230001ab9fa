package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void valuesThatAreNotFiniteAreWrittenAsNullSoTheLineIsValidJson() {
        JsonObject o = new JsonObject();
        o.addProperty("loss", Double.NaN);
        o.addProperty("ratio", Double.POSITIVE_INFINITY);
        o.add("logprobs", Json.GSON.toJsonTree(new double[] {-1.5, Double.NEGATIVE_INFINITY}));
        o.addProperty("steps", 3);

        String line = Json.toJson(o);

        assertThat(line).isEqualTo("{\"loss\":null,\"ratio\":null,\"logprobs\":[-1.5,null],\"steps\":3}");
        var strict = new com.google.gson.stream.JsonReader(new java.io.StringReader(line));
        strict.setStrictness(com.google.gson.Strictness.STRICT);
        assertThat(JsonParser.parseReader(strict).getAsJsonObject().get("steps").getAsInt()).isEqualTo(3);
    }
}
