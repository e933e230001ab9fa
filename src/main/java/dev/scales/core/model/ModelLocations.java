package dev.scales.core.model;

import dev.scales.core.AppPaths;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folders searched for model folders (each holding a {@code config.json}), in order:
 * the bundled models, the user's models folder, {@code SCALES_MODEL_PATH}, and the
 * HuggingFace hub cache (where {@code transformers} and {@code huggingface-cli} put downloads).
 * Nothing is ever downloaded: these are places a person already put models.
 */
public final class ModelLocations {
    private final List<Path> roots;

    public ModelLocations(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /** The default search roots for this user and environment. */
    public static ModelLocations standard() {
        return standard(System.getenv(), AppPaths.home(), AppPaths.configDir(), Path.of(System.getProperty("user.home")));
    }

    static ModelLocations standard(Map<String, String> env, Path home, Path configDir, Path userHome) {
        List<Path> roots = new ArrayList<>();
        roots.add(home.resolve("assets").resolve("models"));
        roots.add(configDir.resolve("models"));
        String extra = env.get("SCALES_MODEL_PATH");
        if (extra != null) {
            for (String p : extra.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    roots.add(Path.of(p));
                }
            }
        }
        String hfHome = env.get("HF_HOME");
        Path hf = hfHome != null && !hfHome.isBlank() ? Path.of(hfHome) : userHome.resolve(".cache").resolve("huggingface");
        roots.add(hf.resolve("hub"));
        return new ModelLocations(roots);
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * Every model folder under the roots: a root's direct sub-folders holding a
     * {@code config.json}, and the snapshots of a hub cache ({@code models--org--name/snapshots/rev}).
     */
    public List<Path> findModelFolders() {
        Set<Path> found = new LinkedHashSet<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> children = Files.list(root)) {
                for (Path child : children.sorted().toList()) {
                    if (isModelFolder(child)) {
                        found.add(child.toAbsolutePath().normalize());
                    } else if (child.getFileName().toString().startsWith("models--")) {
                        latestSnapshot(child).ifPresent(s -> found.add(s.toAbsolutePath().normalize()));
                    }
                }
            } catch (IOException e) {
                // An unreadable root is skipped; the others still count.
            }
        }
        return List.copyOf(found);
    }

    public static boolean isModelFolder(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve("config.json"));
    }

    private static java.util.Optional<Path> latestSnapshot(Path repo) {
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return java.util.Optional.empty();
        }
        try (Stream<Path> revs = Files.list(snapshots)) {
            return revs.filter(ModelLocations::isModelFolder)
                    .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** A short name for a model folder: the hub repo name for cache snapshots, else the folder name. */
    public static String displayName(Path folder) {
        Path parent = folder.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("snapshots")
                && parent.getParent() != null) {
            String repo = parent.getParent().getFileName().toString();
            if (repo.startsWith("models--")) {
                return repo.substring("models--".length()).replace("--", "/");
            }
        }
        return folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
    }
}
