package dev.scales.core.model.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.ScalesException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A libtorch kernel that DJL's JNI does not expose (a fused GELU, the fused AdamW…), reached
 * through a one-class TorchScript module compiled by libtorch from source when it is loaded.
 * The archive — a zip of the code, a pickle of the module object, an empty constants tuple and
 * a format version — is written here in memory, so nothing binary ships with the app
 * (docs/decisions/0012).
 */
public final class TorchScript {
    private static final Map<String, PtSymbolBlock> SHARED = new ConcurrentHashMap<>();

    private TorchScript() {}

    /** Owns the shared modules for the life of the process (they hold no tensors). */
    private static final class SharedOwner {
        static final NDManager MANAGER = NDManager.newBaseManager("PyTorch");
    }

    /**
     * The module of class {@code className}, compiled from {@code source} on first use and kept for
     * the life of the process. A compilation that fails is not remembered.
     */
    public static PtSymbolBlock shared(String className, Supplier<String> source) {
        return SHARED.computeIfAbsent(className, n -> load(SharedOwner.MANAGER, n, source.get()));
    }

    /**
     * Compiles a module whose code (TorchScript as libtorch serialises it: types spelled out,
     * {@code self: __torch__.ClassName}) declares {@code class ClassName(Module)}; the module is
     * owned by {@code manager}.
     */
    public static PtSymbolBlock load(NDManager manager, String className, String source) {
        try {
            return JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive(className, source)),
                    false, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (EngineException e) {
            throw new ScalesException("this libtorch cannot compile " + className + " (PyTorch 2.4 or later is needed): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Runs the module's {@code forward} on tensors, recording autograd when the calling thread's
     * grad mode is on (DJL's {@code PtSymbolBlock.forward(IValue...)} always runs without it);
     * the results belong to the first input's manager, as DJL's own operators' do.
     */
    public static NDList forward(PtSymbolBlock module, NDArray... inputs) {
        return IValueUtils.forward(module, new NDList(inputs), true);
    }

    /** A TorchScript archive (a zip) holding one module of class {@code className} with {@code source}. */
    static byte[] archive(String className, String source) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "module/data.pkl", modulePickle(className));
            entry(zip, "module/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            entry(zip, "module/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // an empty tuple
            entry(zip, "module/version", "10\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /** The module object, pickled (protocol 2): an instance of __torch__.className with training = True. */
    private static byte[] modulePickle(String className) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80); // PROTO 2
        b.write(2);
        b.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        b.write(')'); // EMPTY_TUPLE
        b.write(0x81); // NEWOBJ
        b.write('}'); // EMPTY_DICT
        b.write('('); // MARK
        b.write('X'); // BINUNICODE "training"
        b.writeBytes(new byte[] {8, 0, 0, 0});
        b.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
        b.write(0x88); // NEWTRUE
        b.write('u'); // SETITEMS
        b.write('b'); // BUILD
        b.write('.'); // STOP
        return b.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }
}
