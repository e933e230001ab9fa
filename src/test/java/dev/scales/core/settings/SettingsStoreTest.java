package dev.scales.core.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsStoreTest {
    @TempDir
    Path dir;

    @Test
    void remembersWindowModelDeviceAndRecentFiles() throws Exception {
        SettingsStore store = new SettingsStore(dir);
        Settings s = Settings.defaults().withWindow(new Settings.WindowBounds(10, 20, 1024, 700, false))
                .withLastModel("/models/gpt2").withLastDevice("gpu0").withRecentFile("a.jsonl").withRecentFile("b.jsonl")
                .withRecentFile("a.jsonl");

        store.save(s);

        Settings read = new SettingsStore(dir).load();
        assertThat(read).isEqualTo(s);
        assertThat(read.recentFiles()).containsExactly("a.jsonl", "b.jsonl");
    }

    @Test
    void remembersThatTheWelcomeTourIsDoneWithAndAnOlderFileMeansItIsNot() throws Exception {
        new SettingsStore(dir).save(Settings.defaults().withTourSeen(true));
        assertThat(new SettingsStore(dir).load().tourSeen()).isTrue();

        Files.writeString(dir.resolve("settings.json"), "{\"lastDevice\": \"cpu\", \"presentation\": true}");
        Settings older = new SettingsStore(dir).load();
        assertThat(older.presentation()).isTrue();
        assertThat(older.tourSeen()).isFalse();
    }

    @Test
    void remembersTheThemeAndAnOlderFileMeansTheLightOne() throws Exception {
        new SettingsStore(dir).save(Settings.defaults().withTheme("dark"));
        assertThat(new SettingsStore(dir).load().theme()).isEqualTo("dark");

        Files.writeString(dir.resolve("settings.json"), "{\"lastDevice\": \"cpu\", \"presentation\": true}");
        assertThat(new SettingsStore(dir).load().theme()).isEqualTo("light");
    }

    @Test
    void aMissingFileGivesTheDefaults() {
        assertThat(new SettingsStore(dir).load()).isEqualTo(Settings.defaults());
    }

    @Test
    void aCorruptFileIsIgnoredNotFatal() throws Exception {
        Files.writeString(dir.resolve("settings.json"), "{\"window\": {\"width\": \"wide\"");

        assertThat(new SettingsStore(dir).load()).isEqualTo(Settings.defaults());
    }

    @Test
    void impossibleWindowBoundsAreIgnored() throws Exception {
        Files.writeString(dir.resolve("settings.json"),
                "{\"window\": {\"x\": 0, \"y\": 0, \"width\": -5, \"height\": 3, \"maximized\": false}}");

        assertThat(new SettingsStore(dir).load()).isEqualTo(Settings.defaults());
    }

    @Test
    void recentFilesKeepTheNewestTen() {
        Settings s = Settings.defaults();
        for (int i = 0; i < 15; i++) {
            s = s.withRecentFile("f" + i);
        }
        assertThat(s.recentFiles()).hasSize(Settings.MAX_RECENT).startsWith("f14").endsWith("f5");
    }

    @Test
    void savingLeavesNoTemporaryFilesBehind() throws Exception {
        new SettingsStore(dir).save(Settings.defaults().withPresentation(true));

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("settings.json");
        }
    }
}
