package dev.scales.core.prompt;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saved few-shot prompt: instruction, template, demonstrations and (for classification) the
 * label set with its verbalizers. JSON, versioned:
 * <pre>{"version": 1, "instruction": "…", "template": "Review: {input}\nSentiment: {output}\n\n",
 *  "labels": {"positive": " positive", "negative": " negative"},
 *  "examples": [{"input": "…", "output": "positive", "enabled": true}]}</pre>
 * With a template of several slots an example's input is an object of the fields
 * ({@code {"premise": "…", "hypothesis": "…"}}).
 * A demonstration's {@code output} is written after the template's {@code {output}} slot; for a
 * classification task it is the label's verbalizer with leading space removed, as users write it.
 *
 * @param chat the model's chat template when prompts are written in chat format (not saved: it is
 *             the model's); null for running text
 */
public record PromptSet(String instruction, PromptTemplate template, LabelSet labels, List<Example> examples,
                        ChatTemplate chat) {
    public static final int VERSION = 1;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public PromptSet {
        examples = List.copyOf(examples);
    }

    public PromptSet(String instruction, PromptTemplate template, LabelSet labels, List<Example> examples) {
        this(instruction, template, labels, examples, null);
    }

    /** The same prompts written by {@code chat} (null: as running text). */
    public PromptSet withChat(ChatTemplate chat) {
        return new PromptSet(instruction, template, labels, examples, chat);
    }

    /** The few-shot prompt with these demonstrations and {@code query}. */
    public FewShotPrompt prompt(List<Example> demonstrations, String query) {
        return new FewShotPrompt(instruction, demonstrations, query, template, chat);
    }

    public static PromptSet read(Path file) {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file));
            if (!root.isJsonObject()) {
                throw new ScalesException(file + ": a prompt set must be a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            if (e instanceof ScalesException s) {
                throw s;
            }
            throw new ScalesException(file + ": not a readable prompt set (" + e.getMessage() + ")", e);
        }
        try {
            int version = o.has("version") ? o.get("version").getAsInt() : VERSION;
            if (version > VERSION) {
                throw new ScalesException(file + ": prompt set version " + version + " is newer than this Scales reads ("
                        + VERSION + ")");
            }
            if (!o.has("template")) {
                throw new ScalesException(file + ": missing \"template\"");
            }
            LabelSet labels = null;
            if (o.has("labels") && o.get("labels").isJsonObject()) {
                Map<String, String> v = new LinkedHashMap<>();
                o.getAsJsonObject("labels").entrySet().forEach(e -> v.put(e.getKey(), e.getValue().getAsString()));
                labels = new LabelSet(v);
            }
            List<Example> examples = new ArrayList<>();
            JsonArray arr = o.has("examples") ? o.getAsJsonArray("examples") : new JsonArray();
            for (int i = 0; i < arr.size(); i++) {
                JsonObject e = arr.get(i).getAsJsonObject();
                if (!e.has("input") || !e.has("output")) {
                    throw new ScalesException(file + ": example " + (i + 1) + " needs \"input\" and \"output\"");
                }
                examples.add(new Example(input(e.get("input")), e.get("output").getAsString(),
                        !e.has("enabled") || e.get("enabled").getAsBoolean()));
            }
            return new PromptSet(o.has("instruction") ? o.get("instruction").getAsString() : "",
                    new PromptTemplate(o.get("template").getAsString()), labels, examples);
        } catch (ScalesException e) {
            throw e.getMessage().startsWith(file.toString()) ? e : new ScalesException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ScalesException(file + ": malformed prompt set (" + e.getMessage() + ")", e);
        }
    }

    /** An example's input as saved: a string, or an object of named fields. */
    private static String input(JsonElement e) {
        if (!e.isJsonObject()) {
            return e.getAsString();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        e.getAsJsonObject().entrySet().forEach(f -> fields.put(f.getKey(), f.getValue().getAsString()));
        return NamedFields.join(fields);
    }

    private JsonElement input(String text) {
        List<String> slots = template.slots();
        if (slots.size() > 1) {
            try {
                JsonObject fields = new JsonObject();
                NamedFields.split(text, slots).forEach(fields::addProperty);
                return fields;
            } catch (ScalesException notInFields) {
                // saved as typed; rendering names what is missing
            }
        }
        return new com.google.gson.JsonPrimitive(text);
    }

    public void write(Path file) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("version", VERSION);
        o.addProperty("instruction", instruction);
        o.addProperty("template", template.pattern());
        if (labels != null) {
            JsonObject l = new JsonObject();
            labels.verbalizers().forEach(l::addProperty);
            o.add("labels", l);
        }
        JsonArray arr = new JsonArray();
        for (Example e : examples) {
            JsonObject j = new JsonObject();
            j.add("input", input(e.input()));
            j.addProperty("output", e.output());
            j.addProperty("enabled", e.enabled());
            arr.add(j);
        }
        o.add("examples", arr);
        AtomicFiles.writeString(file, GSON.toJson(o));
    }
}
