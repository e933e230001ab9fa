package dev.scales.core.experiment;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import dev.scales.core.data.LabelledData;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A comparison of in-context learning and fine-tuning on one task, as a file (docs/EXPERIMENTS.md
 * documents the format): the model, the task's files, the few-shot setting, the fine-tuning
 * setting, the numbers of labelled examples to compare at, and the seeds. Paths are relative to
 * the file's folder. Reading checks every field and names the one that is wrong.
 *
 * @param model         the model folder
 * @param train         labelled pool: demonstrations and fine-tuning data ({"input","label"} JSONL)
 * @param test          labelled test set
 * @param promptSet     instruction, template and labels
 * @param generalText   held-out general text for forgetting (perplexity), or null
 * @param shots         demonstrations in the few-shot cells
 * @param trainingSize  labelled examples the fine-tuned cells train on
 * @param labelled      the N of the accuracy-against-labelled-examples chart
 * @param fields        which fields of the train and test files hold the input and the label, and
 *                      what label values stand for ({@code "0" → "negative"})
 * @param chat          whether prompts and training rows are written with the model's chat template
 */
public record Experiment(String name, Path model, Path train, Path test, Path promptSet, Path generalText, int shots,
                         FineTune fineTune, int trainingSize, List<Integer> labelled, int seeds,
                         LabelledData.Fields fields, boolean chat) {
    public static final String SCHEMA = "scales-experiment";
    public static final int VERSION = 1;

    /** How the fine-tuned cells are trained; a file without "rank" has {@link FineTuneSettings#DEFAULT}'s. */
    public record FineTune(String method, float learningRate, int steps, int batch, int rank) {
        public boolean lora() {
            return method.equals("lora");
        }
    }

    public Experiment {
        labelled = List.copyOf(labelled);
        fields = fields == null ? LabelledData.Fields.DEFAULT : fields;
    }

    /** An experiment on files with "input" and "label" fields. */
    public Experiment(String name, Path model, Path train, Path test, Path promptSet, Path generalText, int shots,
                      FineTune fineTune, int trainingSize, List<Integer> labelled, int seeds) {
        this(name, model, train, test, promptSet, generalText, shots, fineTune, trainingSize, labelled, seeds, null,
                false);
    }

    public static Experiment read(Path file) {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file));
            if (!root.isJsonObject()) {
                throw new ScalesException(file + ": an experiment must be a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (IOException e) {
            throw new ScalesException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (JsonParseException e) {
            throw new ScalesException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        Fields f = new Fields(file, o, "");
        if (!SCHEMA.equals(f.string("schema"))) {
            throw new ScalesException(file + ": \"schema\" must be \"" + SCHEMA + "\"");
        }
        int version = f.integer("version", 1, Integer.MAX_VALUE);
        if (version > VERSION) {
            throw new ScalesException(file + ": \"version\" " + version + " is newer than this Scales reads (" + VERSION
                    + ")");
        }
        Path dir = file.toAbsolutePath().getParent();
        Fields task = f.object("task");
        Fields fs = f.object("fewShot");
        Fields ft = f.object("fineTune");
        String method = ft.string("method");
        if (!method.equals("lora") && !method.equals("full")) {
            throw new ScalesException(file + ": \"fineTune.method\" must be \"lora\" or \"full\", got \"" + method + "\"");
        }
        FineTune fineTune = new FineTune(method, (float) ft.number("learningRate", 1e-7, 1), ft.integer("steps", 1, 100_000),
                ft.integer("batch", 1, 1024), ft.has("rank") ? ft.integer("rank", 1, 1024)
                        : FineTuneSettings.DEFAULT.lora().rank());
        List<Integer> labelled = new ArrayList<>();
        if (f.has("labelled")) {
            JsonArray a = f.array("labelled");
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).isJsonPrimitive() || !a.get(i).getAsJsonPrimitive().isNumber()
                        || a.get(i).getAsInt() < 1) {
                    throw new ScalesException(file + ": \"labelled[" + i + "]\" must be a positive whole number");
                }
                labelled.add(a.get(i).getAsInt());
            }
        }
        return new Experiment(f.has("name") ? f.string("name") : file.getFileName().toString(),
                dir.resolve(f.string("model")).normalize(), task.path(dir, "train"), task.path(dir, "test"),
                task.path(dir, "promptSet"), task.has("generalText") ? task.path(dir, "generalText") : null,
                fs.integer("shots", 0, 256), fineTune, ft.integer("trainingExamples", 1, 1_000_000), labelled,
                f.integer("seeds", 1, 100), task.has("fields") ? fields(file, task.object("fields")) : null,
                fs.has("chat") && fs.bool("chat"));
    }

    /**
     * {@code "fields": {"input": "sentence", "label": "label", "labels": {"0": "negative", "1": "positive"}}};
     * {@code "input"} may list several fields ({@code ["premise", "hypothesis"]}) for a template with a
     * slot for each.
     */
    private static LabelledData.Fields fields(Path file, Fields f) {
        java.util.Map<String, String> names = new java.util.LinkedHashMap<>();
        if (f.has("labels")) {
            for (var e : f.object("labels").o().entrySet()) {
                if (!e.getValue().isJsonPrimitive()) {
                    throw new ScalesException(file + ": \"task.fields.labels." + e.getKey() + "\" must be a label name");
                }
                names.put(e.getKey(), e.getValue().getAsString());
            }
        }
        String input = "input";
        if (f.has("input") && f.o().get("input").isJsonArray()) {
            List<String> inputs = new java.util.ArrayList<>();
            for (JsonElement e : f.o().getAsJsonArray("input")) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isBlank()) {
                    throw new ScalesException(file + ": \"task.fields.input\" must list field names");
                }
                inputs.add(e.getAsString());
            }
            input = String.join(", ", inputs);
        } else if (f.has("input")) {
            input = f.string("input");
        }
        try {
            return new LabelledData.Fields(input, f.has("label") ? f.string("label") : "label", names);
        } catch (ScalesException e) {
            throw new ScalesException(file + ": \"task.fields\": " + e.getMessage(), e);
        }
    }

    /**
     * The paths this experiment (read from {@code file}) reads outside the folders it may read without
     * asking: its own folder and those below it, Scales' installation (the bundled model and the
     * sample data) and the app's data folder. A shared experiment file is not a door to the rest of
     * the disk: the app asks before it reads these, the command line wants {@code --trust-paths}.
     * Each entry reads "field: path"; links are followed to where they lead.
     */
    public List<String> outside(Path file) {
        List<Path> allowed = List.of(real(file.toAbsolutePath().getParent()), real(dev.scales.core.AppPaths.home()),
                real(dev.scales.core.AppPaths.dataDir()));
        java.util.Map<String, Path> read = new java.util.LinkedHashMap<>();
        read.put("model", model);
        read.put("task.train", train);
        read.put("task.test", test);
        read.put("task.promptSet", promptSet);
        if (generalText != null) {
            read.put("task.generalText", generalText);
        }
        List<String> out = new ArrayList<>();
        read.forEach((field, path) -> {
            Path p = real(path);
            if (allowed.stream().noneMatch(p::startsWith)) {
                out.add(field + ": " + p);
            }
        });
        return out;
    }

    /** Where {@code p} leads (links followed) when it exists, else its absolute, normalised form. */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** Writes the experiment with paths relative to {@code file}'s folder. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                .toJson(toJson(file.toAbsolutePath().getParent())) + "\n");
    }

    /** The experiment as the file holds it, with paths relative to {@code dir}. */
    public JsonObject toJson(Path dir) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("version", VERSION);
        o.addProperty("name", name);
        o.addProperty("model", relative(dir, model));
        JsonObject task = new JsonObject();
        task.addProperty("train", relative(dir, train));
        task.addProperty("test", relative(dir, test));
        task.addProperty("promptSet", relative(dir, promptSet));
        if (generalText != null) {
            task.addProperty("generalText", relative(dir, generalText));
        }
        if (!fields.equals(LabelledData.Fields.DEFAULT)) {
            JsonObject fo = new JsonObject();
            if (fields.inputs().size() == 1) {
                fo.addProperty("input", fields.input());
            } else {
                JsonArray inputs = new JsonArray();
                fields.inputs().forEach(inputs::add);
                fo.add("input", inputs);
            }
            fo.addProperty("label", fields.label());
            if (!fields.labelNames().isEmpty()) {
                JsonObject names = new JsonObject();
                fields.labelNames().forEach(names::addProperty);
                fo.add("labels", names);
            }
            task.add("fields", fo);
        }
        o.add("task", task);
        JsonObject fs = new JsonObject();
        fs.addProperty("shots", shots);
        if (chat) {
            fs.addProperty("chat", true);
        }
        o.add("fewShot", fs);
        JsonObject ft = new JsonObject();
        ft.addProperty("method", fineTune.method());
        ft.addProperty("learningRate", fineTune.learningRate());
        ft.addProperty("steps", fineTune.steps());
        ft.addProperty("batch", fineTune.batch());
        ft.addProperty("rank", fineTune.rank());
        ft.addProperty("trainingExamples", trainingSize);
        o.add("fineTune", ft);
        JsonArray a = new JsonArray();
        labelled.forEach(a::add);
        o.add("labelled", a);
        o.addProperty("seeds", seeds);
        return o;
    }

    private static String relative(Path dir, Path p) {
        try {
            return dir.relativize(p.toAbsolutePath()).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) { // another drive on Windows
            return p.toAbsolutePath().toString();
        }
    }

    /** Reads fields of one JSON object, naming the field (with its path) in every error. */
    private record Fields(Path file, JsonObject o, String prefix) {
        boolean has(String key) {
            return o.has(key) && !o.get(key).isJsonNull();
        }

        private JsonElement get(String key) {
            if (!has(key)) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" is missing");
            }
            return o.get(key);
        }

        String string(String key) {
            JsonElement e = get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be a string");
            }
            return e.getAsString();
        }

        boolean bool(String key) {
            JsonElement e = get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be true or false");
            }
            return e.getAsBoolean();
        }

        double number(String key, double min, double max) {
            JsonElement e = get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be a number");
            }
            double v = e.getAsDouble();
            if (!(v >= min && v <= max)) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be between " + min + " and " + max
                        + ", got " + v);
            }
            return v;
        }

        int integer(String key, int min, int max) {
            double v = number(key, min, max);
            if (v != Math.rint(v)) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be a whole number, got " + v);
            }
            return (int) v;
        }

        Fields object(String key) {
            JsonElement e = get(key);
            if (!e.isJsonObject()) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be an object");
            }
            return new Fields(file, e.getAsJsonObject(), prefix + key + ".");
        }

        JsonArray array(String key) {
            JsonElement e = get(key);
            if (!e.isJsonArray()) {
                throw new ScalesException(file + ": \"" + prefix + key + "\" must be an array");
            }
            return e.getAsJsonArray();
        }

        Path path(Path dir, String key) {
            return dir.resolve(string(key)).normalize();
        }
    }
}
