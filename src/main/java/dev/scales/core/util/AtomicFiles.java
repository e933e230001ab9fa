package dev.scales.core.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes that never leave a half-written file behind: the bytes go to a temporary file in
 * the same folder, forced to the disk, which is then renamed over the target. A crash or a
 * power cut mid-write leaves the previous version intact.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /**
     * Forces a file's bytes, or a folder's entries (the names a rename wrote), to the disk, so a
     * rename that follows never publishes a file the disk does not hold yet. Folders cannot be
     * opened for this on every system (Windows): there it does nothing.
     */
    public static void sync(Path path) throws IOException {
        boolean folder = Files.isDirectory(path);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path,
                folder ? java.nio.file.StandardOpenOption.READ : java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (IOException e) {
            if (!folder) {
                throw e;
            }
        }
    }

    /** Something that writes the whole content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void writeString(Path target, String content) throws IOException {
        write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
    }

    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
            sync(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            sync(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
