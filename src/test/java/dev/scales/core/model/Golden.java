package dev.scales.core.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The golden checkpoints under src/test/resources/golden and their PyTorch reference outputs. */
public final class Golden {
    private Golden() {}

    public static Path folder(String name) {
        try {
            return Path.of(Golden.class.getResource("/golden/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("golden model " + name + " is missing", e);
        }
    }

    /** One of the public chat templates under src/test/resources/chat-templates, as a tokenizer_config.json. */
    public static Path chatTemplate(String template) {
        try {
            return Path.of(Golden.class.getResource("/chat-templates/" + template + ".json").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("chat template " + template + " is missing", e);
        }
    }

    /** A copy of golden model {@code name} in {@code dir} whose tokenizer_config.json is the named public chat template. */
    public static Path withChatTemplate(Path dir, String name, String template) {
        try {
            Path folder = Files.createDirectories(dir.resolve(name + "-" + template));
            try (var files = Files.list(folder(name))) {
                for (Path f : files.toList()) {
                    Files.copy(f, folder.resolve(f.getFileName()));
                }
            }
            Files.copy(chatTemplate(template), folder.resolve("tokenizer_config.json"));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Logits at every position of a fixed sequence, run on the DJL blocks (grad mode on) or compiled (off). */
    public static float[] logits(LoadedModel m, boolean compiled) {
        if (compiled) {
            GradMode.inference();
        } else {
            GradMode.training();
        }
        try (ai.djl.ndarray.NDManager s = m.manager().newSubManager()) {
            dev.scales.core.generate.Inputs.Batch b = dev.scales.core.generate.Inputs.single(s, new long[] {5, 9, 17, 33, 101, 7}, 0);
            return m.lm().forward(b.ids(), b.positions(), b.bias(), null, false).toFloatArray();
        } finally {
            GradMode.inference();
        }
    }

    public static JsonObject reference(String name) {
        try {
            return JsonParser.parseString(Files.readString(folder(name).resolve("reference.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    public static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    /** Flattens nested arrays of numbers in row-major order. */
    public static float[] flatFloats(JsonArray a) {
        java.util.List<Float> out = new java.util.ArrayList<>();
        flatten(a, out);
        float[] r = new float[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    private static void flatten(JsonArray a, java.util.List<Float> out) {
        for (var e : a) {
            if (e.isJsonArray()) {
                flatten(e.getAsJsonArray(), out);
            } else {
                out.add(e.getAsFloat());
            }
        }
    }
}
