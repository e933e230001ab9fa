package dev.scales.core.settings;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and saves {@link Settings} as a small JSON file ({@code settings.json} in the config
 * folder). A missing file gives the defaults; a corrupt one is logged and ignored — never a
 * crash — and is left in place until the next save replaces it atomically.
 */
public final class SettingsStore {
    private static final Logger LOG = LoggerFactory.getLogger(SettingsStore.class);
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();

    private final Path file;

    public SettingsStore(Path configDir) {
        this.file = configDir.resolve("settings.json");
    }

    public Path file() {
        return file;
    }

    public Settings load() {
        if (!Files.isRegularFile(file)) {
            return Settings.defaults();
        }
        try {
            Settings read = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Settings.class);
            if (read == null) {
                throw new JsonParseException("empty file");
            }
            // Run the record's validation again: Gson builds records through their constructor.
            return new Settings(read.window(), read.lastModel(), read.lastDevice(), read.recentFiles(),
                    read.presentation(), read.tourSeen(), read.theme());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable settings file {}: {}", file, e.getMessage());
            return Settings.defaults();
        }
    }

    public void save(Settings settings) throws IOException {
        AtomicFiles.writeString(file, GSON.toJson(settings));
    }
}
