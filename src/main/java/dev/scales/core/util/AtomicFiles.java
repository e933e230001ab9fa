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
 * power cut mid-write leaves the previous version intact, and so does a write whose thread is
 * interrupted (how a Cancel stops one): it stops at its next bytes.
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
            try (OutputStream out = new Interruptible(Files.newOutputStream(tmp), target)) {
                writer.writeTo(out);
            }
            sync(tmp); // its channel refuses an interrupted thread too
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

    /**
     * A file's stream that stops when its thread is interrupted: the stream {@link Files#newOutputStream}
     * gives writes on regardless.
     */
    private static final class Interruptible extends java.io.FilterOutputStream {
        private final Path target;

        Interruptible(OutputStream out, Path target) {
            super(out);
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
        }

        private void check() throws java.io.InterruptedIOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted while writing " + target);
            }
        }
    }

    /** Deletes a folder and everything in it (nothing when it does not exist). */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /**
     * Puts the folder {@code ready} (written and {@link #sync synced}) in the place of {@code target} in
     * one rename: the old folder is set aside first and deleted afterwards, so a process killed at
     * any point leaves a whole folder, old or new, or the old one set aside at {@code aside} (which
     * a reader takes back). Files of the old folder that the new one does not have and that
     * {@code keep} accepts are moved into it (a user's notes beside a saved model).
     */
    public static void replaceFolder(Path ready, Path target, Path aside, java.util.function.Predicate<Path> keep)
            throws IOException {
        deleteTree(aside);
        if (Files.exists(target)) {
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(ready, target, StandardCopyOption.ATOMIC_MOVE);
        sync(target.toAbsolutePath().getParent());
        if (Files.isDirectory(aside)) {
            try (java.util.stream.Stream<Path> old = Files.list(aside)) {
                for (Path f : old.toList()) {
                    if (keep.test(f) && !Files.exists(target.resolve(f.getFileName()))) {
                        Files.move(f, target.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                    }
                }
            }
        }
        deleteTree(aside);
    }

    /**
     * {@code target}, taken back from {@code aside} when a {@link #replaceFolder} was cut short
     * between its two renames (it is read where it is if it cannot be moved).
     */
    public static Path recovered(Path target, Path aside) {
        if (!Files.exists(target) && Files.isDirectory(aside)) {
            try {
                Files.move(aside, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                return aside;
            }
        }
        return target;
    }

    /** Syncs every file directly in {@code folder}, then the folder. */
    public static void syncFolder(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    sync(f);
                }
            }
        }
        sync(folder);
    }
}
