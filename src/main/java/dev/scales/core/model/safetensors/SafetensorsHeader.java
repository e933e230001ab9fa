package dev.scales.core.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated header of a safetensors file: 8 bytes of little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the raw data. Every range is
 * checked against the file before any byte of data is read, so a truncated or corrupt file is
 * an error naming the file and tensor, never a crash or a read past the end.
 *
 * @param file       the file read
 * @param dataStart  absolute offset of the data section (8 + header length)
 * @param fileSize   size of the file in bytes
 * @param tensors    the tensors in header order
 * @param metadata   the optional {@code __metadata__} strings
 */
public record SafetensorsHeader(Path file, long dataStart, long fileSize,
                                Map<String, TensorEntry> tensors, Map<String, String> metadata) {
    /** Larger headers are refused: real ones are a few hundred KB even for 7B models. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    public SafetensorsHeader {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Map.copyOf(metadata);
    }

    /** Reads and validates the header of {@code file}. */
    public static SafetensorsHeader read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ScalesException(file + ": no such safetensors file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new ScalesException(file + ": truncated safetensors file (" + size
                        + " bytes, shorter than the 8-byte header length)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new ScalesException(file + ": corrupt safetensors header: header length "
                        + Long.toUnsignedString(headerLen) + " goes beyond the end of the file ("
                        + size + " bytes)");
            }
            ByteBuffer json = ByteBuffer.allocate((int) headerLen);
            readFully(ch, json, 8);
            String text = new String(json.array(), StandardCharsets.UTF_8);
            return parse(file, text, 8 + headerLen, size);
        } catch (IOException e) {
            throw new ScalesException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    static SafetensorsHeader parse(Path file, String text, long dataStart, long fileSize) {
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(text);
            if (!parsed.isJsonObject()) {
                throw new ScalesException(file + ": corrupt safetensors header: not a JSON object");
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new ScalesException(file + ": corrupt safetensors header: invalid JSON ("
                    + e.getMessage() + ")", e);
        }
        long dataSize = fileSize - dataStart;
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                if (e.getValue().isJsonObject()) {
                    e.getValue().getAsJsonObject().entrySet().forEach(m -> metadata.put(m.getKey(),
                            m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString()));
                }
                continue;
            }
            tensors.put(name, entry(file, name, e.getValue(), dataSize));
        }
        return new SafetensorsHeader(file, dataStart, fileSize, tensors, metadata);
    }

    private static TensorEntry entry(Path file, String name, JsonElement value, long dataSize) {
        String where = file + ": tensor '" + name + "'";
        try {
            JsonObject o = value.getAsJsonObject();
            DType dtype = DType.parse(o.get("dtype").getAsString(), where);
            JsonArray dims = o.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new ScalesException(where + ": negative dimension in shape " + dims);
                }
            }
            JsonArray offsets = o.getAsJsonArray("data_offsets");
            if (offsets == null || offsets.size() != 2) {
                throw new ScalesException(where + ": data_offsets must be [begin, end]");
            }
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new ScalesException(where + ": data offsets [" + begin + ", " + end
                        + "] are out of range (the data section holds " + dataSize + " bytes)");
            }
            TensorEntry entry = new TensorEntry(name, dtype, shape, begin, end);
            long expected = Math.multiplyExact(entry.elementCount(), dtype.bytes());
            if (expected != entry.byteCount()) {
                throw new ScalesException(where + ": " + dtype + " shape " + dims + " needs " + expected
                        + " bytes but its data offsets span " + entry.byteCount());
            }
            return entry;
        } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
                 | NumberFormatException | ArithmeticException e) {
            throw new ScalesException(where + ": malformed header entry " + value, e);
        }
    }

    /** Total number of elements over all tensors. */
    public long parameterCount() {
        return tensors.values().stream().mapToLong(TensorEntry::elementCount).sum();
    }
}
