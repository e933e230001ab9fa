package dev.scales.core.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A fine-tuning run as the app keeps it on disk, so that a run stopped, or a process killed, can be
 * resumed and its curve continued:
 * <ul>
 *   <li>{@code run.json}: its name, the model folder it trains, its settings;
 *   <li>{@code data.jsonl}: the training examples exactly as written for it (prompt, answer, which
 *       parts carry the loss), so a resumed run trains on the same text whatever the panes show now;
 *   <li>{@code events.jsonl}: the curve, one step or evaluation per line, appended as the run goes;
 *   <li>{@code best/} and {@code last/}: its {@link Checkpoints}.
 * </ul>
 */
public final class RunFolder {
    private static final int VERSION = 1;
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping()
            .create();

    /** What a run is: everything needed to start it again. */
    public record Manifest(int version, String name, String model, FineTuneSettings settings) {}

    private final Path dir;
    private final Manifest manifest;
    private final List<TrainingExample> data;

    private RunFolder(Path dir, Manifest manifest, List<TrainingExample> data) {
        this.dir = dir;
        this.manifest = manifest;
        this.data = List.copyOf(data);
    }

    /** The folder that holds the app's runs. */
    public static Path root() {
        return dev.scales.core.AppPaths.dataDir().resolve("runs");
    }

    /** A new run's folder under {@code root}: its time and name, its manifest and data written. */
    public static RunFolder create(Path root, String name, Path model, FineTuneSettings settings,
                                   List<TrainingExample> data) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String slug = name.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("(^-+|-+$)", "");
        Path dir = root.resolve(stamp + "-" + slug);
        for (int n = 2; Files.exists(dir); n++) {
            dir = root.resolve(stamp + "-" + slug + "-" + n);
        }
        Manifest manifest = new Manifest(VERSION, name, model.toAbsolutePath().toString(), settings);
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeString(dir.resolve("data.jsonl"), String.join("\n",
                    data.stream().map(GSON::toJson).toList()) + "\n");
            AtomicFiles.writeString(dir.resolve("run.json"), GSON.toJson(manifest));
        } catch (IOException e) {
            throw new ScalesException(dir + ": cannot create the run's folder: " + e.getMessage(), e);
        }
        return new RunFolder(dir, manifest, data);
    }

    /** A run's folder as {@link #create} wrote it; a missing or unreadable part is named. */
    public static RunFolder open(Path dir) {
        Path run = dir.resolve("run.json");
        Path data = dir.resolve("data.jsonl");
        try {
            Manifest manifest = GSON.fromJson(Files.readString(run), Manifest.class);
            if (manifest == null || manifest.settings() == null || manifest.model() == null) {
                throw new ScalesException(run + ": not a Scales run (no model or settings)");
            }
            if (manifest.version() > VERSION) {
                throw new ScalesException(run + ": run version " + manifest.version() + " is newer than this Scales "
                        + "reads (" + VERSION + ")");
            }
            List<TrainingExample> examples = new ArrayList<>();
            for (String line : Files.readAllLines(data, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    examples.add(GSON.fromJson(line, TrainingExample.class));
                }
            }
            return new RunFolder(dir, manifest, examples);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ScalesException(dir + ": not a Scales run folder (" + e.getFile() + " is missing)", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ScalesException s) {
                throw s;
            }
            throw new ScalesException(dir + ": the run cannot be read (" + e.getMessage() + ")", e);
        }
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return manifest.name();
    }

    /** The model folder the run trains. */
    public Path model() {
        return Path.of(manifest.model());
    }

    public FineTuneSettings settings() {
        return manifest.settings();
    }

    public List<TrainingExample> data() {
        return data;
    }

    public Checkpoints checkpoints() {
        return new Checkpoints(dir);
    }

    /** The step of the last checkpoint a resumed run goes on from, or 0 when there is none. */
    public int resumableStep() {
        Path last = checkpoints().last();
        return Files.isDirectory(last) ? Checkpoints.step(last) : 0;
    }

    /** Adds a step or an evaluation to the curve (other events are not part of it). */
    public void append(TrainingEvent event) {
        String type = event instanceof TrainingEvent.Step ? "step"
                : event instanceof TrainingEvent.Evaluation ? "evaluation" : null;
        if (type == null) {
            return;
        }
        JsonObject o = GSON.toJsonTree(event).getAsJsonObject();
        o.addProperty("type", type);
        try (Writer w = Files.newBufferedWriter(dir.resolve("events.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(GSON.toJson(o) + "\n");
        } catch (IOException e) {
            throw new ScalesException(dir.resolve("events.jsonl") + ": cannot add to the curve: " + e.getMessage(), e);
        }
    }

    /**
     * The curve up to and including {@code step}, and the file rewritten to hold just that: what a
     * run resumed from that step's checkpoint continues. A line cut short by a kill is left out.
     */
    public List<TrainingEvent> curveUpTo(int step) {
        Path file = dir.resolve("events.jsonl");
        List<TrainingEvent> events = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    TrainingEvent e = event(line);
                    int at = e instanceof TrainingEvent.Step s ? s.step()
                            : e instanceof TrainingEvent.Evaluation v ? v.step() : Integer.MAX_VALUE;
                    if (at <= step) {
                        events.add(e);
                        kept.add(line);
                    }
                }
            }
            AtomicFiles.writeString(file, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        } catch (IOException e) {
            throw new ScalesException(file + ": cannot read the curve: " + e.getMessage(), e);
        }
        return events;
    }

    private static TrainingEvent event(String line) {
        try {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            String type = o.has("type") ? o.get("type").getAsString() : "";
            return switch (type) {
                case "step" -> GSON.fromJson(o, TrainingEvent.Step.class);
                case "evaluation" -> GSON.fromJson(o, TrainingEvent.Evaluation.class);
                default -> null;
            };
        } catch (RuntimeException e) {
            return null; // a line cut short
        }
    }
}
