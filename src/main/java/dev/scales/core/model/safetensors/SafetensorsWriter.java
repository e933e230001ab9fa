package dev.scales.core.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes F32 tensors to a safetensors file, each narrowed to the dtype it should have on disk
 * (so a model saved from BF16 weights is BF16 again). Tensors are written in name order, the
 * header padded with spaces to a multiple of 8 bytes, and the file replaced atomically.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /** One tensor to write: its values in F32, its shape, and the dtype to store it as. */
    public record Tensor(FloatBuffer values, long[] shape, DType dtype) {
        public Tensor {
            if (!dtype.isFloat() || dtype == DType.F64) {
                throw new IllegalArgumentException("can only write F32, F16 or BF16, not " + dtype);
            }
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != values.remaining()) {
                throw new IllegalArgumentException("shape holds " + n + " values but " + values.remaining() + " given");
            }
        }
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        metadata.forEach(meta::addProperty);
        header.add("__metadata__", meta);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.values().remaining() * t.dtype().bytes();
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            o.add("data_offsets", offsets);
            header.add(e.getKey(), o);
            offset += bytes;
        }
        StringBuilder json = new StringBuilder(header.toString());
        while ((json.toString().getBytes(StandardCharsets.UTF_8).length) % 8 != 0) {
            json.append(' ');
        }
        byte[] headerBytes = json.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            for (Tensor t : sorted.values()) {
                writeData(out, t);
            }
        });
    }

    private static void writeData(OutputStream out, Tensor t) throws IOException {
        FloatBuffer in = t.values().duplicate();
        int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            buf.clear();
            int n = Math.min(chunk, in.remaining());
            for (int i = 0; i < n; i++) {
                float f = in.get();
                switch (t.dtype()) {
                    case F32 -> buf.putFloat(f);
                    case F16 -> buf.putShort(Floats.floatToF16(f));
                    case BF16 -> buf.putShort(Floats.floatToBf16(f));
                    default -> throw new IllegalStateException("unreachable: " + t.dtype());
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }
}
