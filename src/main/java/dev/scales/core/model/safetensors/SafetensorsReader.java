package dev.scales.core.model.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the tensors of a model folder: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json}. Each tensor is memory-mapped on its own (so files over
 * 2 GiB load), widened to F32 in Java and copied into a fresh native buffer that becomes the
 * tensor's storage: tensors never point into the read-only mapping (writing there crashes the
 * JVM) and loading needs about one F32 copy of the model.
 */
public final class SafetensorsReader implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private final Map<String, SafetensorsHeader> headerByTensor = new LinkedHashMap<>();
    private final Map<Path, FileChannel> channels = new LinkedHashMap<>();

    private SafetensorsReader() {}

    /** Opens the weights of a model folder, refusing pickle checkpoints with the reason. */
    public static SafetensorsReader open(Path folder) {
        SafetensorsReader reader = new SafetensorsReader();
        try {
            Path index = folder.resolve(INDEX);
            Path single = folder.resolve(SINGLE);
            if (Files.isRegularFile(index)) {
                reader.openIndex(index);
            } else if (Files.isRegularFile(single)) {
                reader.add(SafetensorsHeader.read(single));
            } else if (Files.exists(folder.resolve("pytorch_model.bin"))
                    || Files.exists(folder.resolve("pytorch_model.bin.index.json"))) {
                throw new ScalesException(folder + ": only pytorch_model.bin found. Scales refuses pickle "
                        + "checkpoints because loading one can run arbitrary code; convert it to safetensors "
                        + "(e.g. save_pretrained(..., safe_serialization=True)) or download the model's "
                        + "model.safetensors.");
            } else {
                throw new ScalesException(folder + ": no " + SINGLE + " or " + INDEX + " in this folder");
            }
            return reader;
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Opens one safetensors file (e.g. a PEFT adapter). */
    public static SafetensorsReader openFile(Path file) {
        SafetensorsReader reader = new SafetensorsReader();
        reader.add(SafetensorsHeader.read(file));
        return reader;
    }

    private void openIndex(Path index) {
        JsonObject map;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(index));
            map = root.getAsJsonObject().getAsJsonObject("weight_map");
            if (map == null) {
                throw new ScalesException(index + ": no \"weight_map\" object");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new ScalesException(index + ": not a valid safetensors index (" + e.getMessage() + ")", e);
        }
        Map<String, SafetensorsHeader> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.entrySet()) {
            String shardName = e.getValue().getAsString();
            Path shard = index.resolveSibling(shardName);
            if (!shard.normalize().startsWith(index.getParent().normalize())) {
                throw new ScalesException(index + ": shard '" + shardName + "' lies outside the model folder");
            }
            SafetensorsHeader header = shards.computeIfAbsent(shardName, n -> SafetensorsHeader.read(shard));
            if (!header.tensors().containsKey(e.getKey())) {
                throw new ScalesException(index + ": tensor '" + e.getKey() + "' is mapped to " + shardName
                        + " but that file does not contain it");
            }
        }
        shards.values().forEach(this::add);
    }

    private void add(SafetensorsHeader header) {
        for (String name : header.tensors().keySet()) {
            SafetensorsHeader before = headerByTensor.putIfAbsent(name, header);
            if (before != null && !before.file().equals(header.file())) {
                throw new ScalesException("tensor '" + name + "' appears in both " + before.file().getFileName()
                        + " and " + header.file().getFileName());
            }
        }
    }

    /** Every tensor, in file order, with its declared dtype and shape. */
    public Map<String, TensorEntry> entries() {
        Map<String, TensorEntry> all = new LinkedHashMap<>();
        headerByTensor.forEach((name, h) -> all.put(name, h.tensors().get(name)));
        return Collections.unmodifiableMap(all);
    }

    public TensorEntry entry(String name) {
        SafetensorsHeader h = headerByTensor.get(name);
        if (h == null) {
            throw new ScalesException("tensor '" + name + "' is missing from the checkpoint");
        }
        return h.tensors().get(name);
    }

    /** The file holding a tensor (for messages). */
    public Path fileOf(String name) {
        return headerByTensor.get(name).file();
    }

    /** The tensor as F32 in a new NDArray owned by {@code manager}. */
    public NDArray readFloat(String name, NDManager manager) {
        return readFloat(name, manager, false);
    }

    /**
     * The tensor as F32 in a new NDArray owned by {@code manager}; with {@code transpose} a 2-D
     * [a, b] tensor comes back as its contiguous transpose [b, a].
     */
    public NDArray readFloat(String name, NDManager manager, boolean transpose) {
        TensorEntry e = entry(name);
        SafetensorsHeader h = headerByTensor.get(name);
        long elements = e.elementCount();
        if (elements * 4 > Integer.MAX_VALUE) {
            throw new ScalesException(h.file() + ": tensor '" + name + "' " + e.shapeString()
                    + " is larger than 2 GiB in F32, which this engine cannot hold in one tensor");
        }
        ByteBuffer dst = ByteBuffer.allocateDirect((int) (elements * 4)).order(ByteOrder.nativeOrder());
        if (elements > 0) {
            if (e.dtype() == DType.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                // Straight from the file into the tensor's storage: no mapping, no second copy.
                readFully(h, e, e.begin(), dst);
            } else {
                widen(h, e, dst.asFloatBuffer());
            }
        }
        requireFinite(dst, h, name);
        long[] shape = e.shape();
        if (transpose) {
            if (shape.length != 2) {
                throw new ScalesException(h.file() + ": tensor '" + name + "' " + e.shapeString()
                        + " should be 2-D");
            }
            dst = transposed(dst, (int) shape[0], (int) shape[1]);
            shape = new long[] {shape[1], shape[0]};
        }
        return manager.create(dst, new Shape(shape), DataType.FLOAT32);
    }

    /** Refuses a tensor holding NaN or an infinity: a damaged checkpoint would give wrong numbers silently. */
    private static void requireFinite(ByteBuffer floats, SafetensorsHeader h, String name) {
        java.nio.IntBuffer bits = floats.asIntBuffer();
        for (int i = 0, n = bits.limit(); i < n; i++) {
            if ((bits.get(i) & 0x7f800000) == 0x7f800000) {
                throw new ScalesException(h.file() + ": tensor '" + name + "' holds " + (Float.isNaN(Float.intBitsToFloat(
                        bits.get(i))) ? "NaN" : "an infinity") + " (element " + i + "); the checkpoint is damaged");
            }
        }
    }

    /** [rows, cols] → [cols, rows], both row-major. */
    private static ByteBuffer transposed(ByteBuffer src, int rows, int cols) {
        ByteBuffer dst = ByteBuffer.allocateDirect(src.capacity()).order(ByteOrder.nativeOrder());
        FloatBuffer in = src.asFloatBuffer();
        FloatBuffer out = dst.asFloatBuffer();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out.put(c * rows + r, in.get(r * cols + c));
            }
        }
        return dst;
    }

    /** Converts a non-F32 tensor to F32 a chunk at a time (little-endian on disk). */
    private void widen(SafetensorsHeader h, TensorEntry e, FloatBuffer out) {
        int size = e.dtype().bytes();
        int chunkElements = 1 << 18;
        ByteBuffer chunk = ByteBuffer.allocate(chunkElements * size).order(ByteOrder.LITTLE_ENDIAN);
        long elements = e.elementCount();
        for (long done = 0; done < elements; ) {
            int n = (int) Math.min(chunkElements, elements - done);
            chunk.clear().limit(n * size);
            readFully(h, e, e.begin() + done * size, chunk); // leaves the chunk flipped, ready to read
            for (int i = 0; i < n; i++) {
                out.put(switch (e.dtype()) {
                    case F16 -> Floats.f16ToFloat(chunk.getShort());
                    case BF16 -> Floats.bf16ToFloat(chunk.getShort());
                    case F64 -> (float) chunk.getDouble();
                    case F32 -> chunk.getFloat();
                    default -> throw new ScalesException(h.file() + ": tensor '" + e.name() + "' has dtype "
                            + e.dtype() + ", expected a floating-point weight");
                });
            }
            done += n;
        }
    }

    /** Fills {@code dst} from the tensor's bytes starting at data offset {@code from}. */
    private void readFully(SafetensorsHeader h, TensorEntry e, long from, ByteBuffer dst) {
        try {
            FileChannel ch = channels.get(h.file());
            if (ch == null) {
                ch = FileChannel.open(h.file(), StandardOpenOption.READ);
                channels.put(h.file(), ch);
            }
            if (ch.size() != h.fileSize()) {
                throw new ScalesException(h.file() + ": the file changed size while it was being read");
            }
            long pos = h.dataStart() + from;
            while (dst.hasRemaining()) {
                int n = ch.read(dst, pos);
                if (n < 0) {
                    throw new ScalesException(h.file() + ": the file ends inside tensor '" + e.name() + "'");
                }
                pos += n;
            }
            dst.flip();
        } catch (IOException ex) {
            throw new ScalesException(h.file() + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Read-only channel: nothing to lose.
            }
        }
        channels.clear();
    }
}
