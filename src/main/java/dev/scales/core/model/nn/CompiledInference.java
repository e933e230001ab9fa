package dev.scales.core.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.scales.core.ScalesException;
import dev.scales.core.model.KvCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A family's whole inference forward pass as one call into a TorchScript module compiled from
 * source (docs/decisions/0014): every layer, the KV-cache writes and the head run inside libtorch,
 * with no Java round trip per operator. The model's DJL blocks stay the definition of the model
 * (training and its gradients run through them); this is the same math for the calls that record
 * no gradient, checked against them by the tests.
 *
 * <p>What makes it fast on a CPU, in {@link #HELPERS}:
 * <ul>
 *   <li>every product is oneDNN's inner product ({@link #ONEDNN_PRODUCT}): libtorch's bundled BLAS
 *       streams a matrix–vector product (decoding) from one core at about half the machine's
 *       bandwidth, and runs matrix products (prompts) with narrower vector kernels than oneDNN
 *       picks for the CPU;
 *   <li>attention over a prompt is {@code scaled_dot_product_attention} (no T×T score tensor per
 *       head); one new token's attention groups the query heads by their key/value head.
 * </ul>
 *
 * Each projection is passed as five tensors: weight [out, in], bias, LoRA A [r, in], LoRA B
 * [out, r] and α/r, with an empty tensor for each that is absent. A group of projections of the
 * same input whose weights the loader laid out together ({@link WeightGroups}) also passes its
 * joined matrix (or an empty tensor), which the script multiplies once, adding each projection's
 * bias and adapter to its part ({@code product} and {@code adapt}).
 */
public final class CompiledInference {
    /** TorchScript methods shared by the families, pasted into each family's class. */
    static final String HELPERS = """
              def linear(self: __torch__.%1$s, x: Tensor, w: Tensor, b: Tensor, la: Tensor, lb: Tensor,
                  ls: Tensor, cpu: bool) -> Tensor:
                bias : Optional[Tensor] = None
                if b.numel() > 0:
                  bias = b
                if cpu:
                  y = %2$s
                else:
                  y = torch.linear(x, w, bias)
                if la.numel() > 0:
                  y = y + torch.linear(torch.linear(x, la) * ls, lb)
                return y
              def product(self: __torch__.%1$s, x: Tensor, w: Tensor, cpu: bool) -> Tensor:
                bias : Optional[Tensor] = None
                if cpu:
                  return %2$s
                return torch.linear(x, w, bias)
              def adapt(self: __torch__.%1$s, x: Tensor, y: Tensor, b: Tensor, la: Tensor, lb: Tensor,
                  ls: Tensor) -> Tensor:
                if b.numel() > 0:
                  y = y + b
                if la.numel() > 0:
                  y = y + torch.linear(torch.linear(x, la) * ls, lb)
                return y
              def attend(self: __torch__.%1$s, q: Tensor, k: Tensor, v: Tensor, bias: Tensor, scale: float) -> Tensor:
                b = q.size(0)
                heads = q.size(1)
                t = q.size(2)
                hd = q.size(3)
                kv = k.size(1)
                if t == 1:
                  s = torch.matmul(q.reshape([b, kv, heads // kv, hd]), k.transpose(2, 3)) * scale
                  if bias.numel() > 0:
                    s = s + bias
                  return torch.matmul(torch.softmax(s, -1), v).reshape([b, heads, 1, hd])
                if kv != heads:
                  k = torch.repeat_interleave(k, heads // kv, 1)
                  v = torch.repeat_interleave(v, heads // kv, 1)
                mask : Optional[Tensor] = None
                if bias.numel() > 0:
                  mask = bias
                return torch.scaled_dot_product_attention(q, k, v, mask, 0., False, scale=scale)
            """;

    /**
     * The CPU's matrix products: oneDNN's inner product on the weight as it is, without the
     * prepacking its callers in PyTorch do (that would keep a second copy of every weight).
     */
    static final String ONEDNN_PRODUCT =
            "ops.mkldnn._linear_pointwise(x, w, bias, \"none\", annotate(List[Optional[number]], []), \"\")";
    static final String PLAIN_PRODUCT = "torch.linear(x, w, bias)";

    /** False once this libtorch has failed to compile the oneDNN product (a build without oneDNN). */
    private static volatile boolean oneDnn = true;

    private CompiledInference() {}

    /**
     * The class {@code className} with {@link #HELPERS} and {@code forward} (methods indented by two
     * spaces, {@code %1$s} standing for the class name), compiled once per process.
     */
    static PtSymbolBlock module(String className, String forward) {
        if (oneDnn) {
            try {
                return TorchScript.shared(className, () -> source(className, forward, ONEDNN_PRODUCT));
            } catch (ScalesException e) {
                oneDnn = false; // its own BLAS does the products from now on
            }
        }
        String plain = className + "Plain";
        return TorchScript.shared(plain, () -> source(plain, forward, PLAIN_PRODUCT));
    }

    private static String source(String className, String forward, String cpuProduct) {
        return "class " + className + "(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
                + HELPERS.formatted(className, cpuProduct) + forward.formatted(className);
    }

    /**
     * The tensors a family's script reads, in its order: parameters (a norm's weight) and
     * projections (five tensors each), looked up once by their HF names.
     */
    public static final class Slots {
        private final Map<String, HfBlock.Weight> parameters;
        private final Map<String, HfBlock> blocks;
        private final List<Object> slots = new ArrayList<>();
        private volatile BlasDecode.Bound bound;
        private final TransposedCopies copies = new TransposedCopies();

        public Slots(HfBlock model) {
            parameters = model.namedParameters();
            blocks = model.namedBlocks();
        }

        public Slots parameter(String name) {
            slots.add(java.util.Objects.requireNonNull(parameters.get(name), name).parameter());
            return this;
        }

        public Slots projection(String name) {
            slots.add((Projection) java.util.Objects.requireNonNull(blocks.get(name), name));
            return this;
        }

        /** The joined matrix of group {@code group}, or an empty tensor while its weights lie apart. */
        public Slots joined(WeightGroups groups, int group) {
            slots.add(new Joined(groups, group));
            return this;
        }

        /** An output head that reuses an embedding table (tied weights): a projection without bias or adapter. */
        public Slots tiedHead(String embeddingWeight) {
            slots.add(new TiedHead(parameters.get(embeddingWeight).parameter()));
            return this;
        }

        /**
         * The arrays, with {@code none} for each absent bias or adapter; null when an adapter is
         * training with dropout (a random mask the script does not draw).
         */
        List<NDArray> arrays(NDArray none) {
            List<NDArray> out = new ArrayList<>(slots.size() * 5);
            for (Object slot : slots) {
                if (slot instanceof Parameter p) {
                    out.add(p.getArray());
                } else if (slot instanceof Joined j) {
                    NDArray matrix = j.groups().joined(j.group());
                    out.add(matrix == null ? none : matrix);
                } else if (slot instanceof TiedHead head) {
                    out.addAll(List.of(head.weight().getArray(), none, none, none, none));
                } else {
                    Projection p = (Projection) slot;
                    out.add(p.weight().getArray());
                    out.add(p.bias() == null ? none : p.bias().getArray());
                    if (!addAdapter(out, p, none)) {
                        return null;
                    }
                }
            }
            return out;
        }

        /** The arrays as {@link BlasDecode} bound them, bound anew when they are not the ones bound last. */
        BlasDecode.Bound bound(List<NDArray> arrays) {
            BlasDecode.Bound b = bound;
            if (b == null || !b.holds(arrays)) {
                b = BlasDecode.bind(arrays, copies);
                bound = b;
            }
            return b;
        }

        /** A, B and α/r of the projection's adapter (or {@code none} three times); false when it drops out. */
        private static boolean addAdapter(List<NDArray> out, Projection p, NDArray none) {
            LoraAdapter lora = p.lora();
            if (lora != null && lora.dropsOut()) {
                return false;
            }
            out.add(lora == null ? none : lora.loraA());
            out.add(lora == null ? none : lora.loraB());
            out.add(lora == null ? none : lora.scale());
            return true;
        }

        private record TiedHead(Parameter weight) {}

        private record Joined(WeightGroups groups, int group) {}
    }

    /**
     * Runs the family's forward when nothing is differentiated and no adapter drops out:
     * {@code ids}, {@code positions} (B, T), {@code bias} (or null), the weights, the cache (or
     * null; room for T positions is reserved here, the length advanced after), then the family's
     * own arguments. Returns the logits, attached to the manager of {@code ids}, or null when
     * the caller must run its DJL blocks instead.
     */
    public static NDArray run(String className, String forward, Slots slots, NDArray none, NDArray ids,
                              NDArray positions, NDArray bias, KvCache cache, long kvHeads, long headDim,
                              boolean lastOnly, Object... familyArgs) {
        if (JniUtils.isGradMode()) {
            return null;
        }
        List<NDArray> weights = slots.arrays(none);
        if (weights == null) {
            return null;
        }
        long t = ids.getShape().get(1);
        if (cache != null) {
            cache.reserve(ids.getShape().get(0), kvHeads, headDim, t);
        }
        NDArray logits = run(module(className, forward), ids, positions, bias, none, weights, cache, lastOnly,
                familyArgs);
        if (cache != null) {
            cache.advance(t);
        }
        return logits;
    }

    private static NDArray run(PtSymbolBlock module, NDArray ids, NDArray positions, NDArray bias, NDArray none,
                               List<NDArray> weights, KvCache cache, boolean lastOnly, Object... familyArgs) {
        List<IValue> in = new ArrayList<>();
        try {
            in.add(IValue.from((PtNDArray) ids));
            in.add(IValue.from((PtNDArray) positions));
            in.add(IValue.from((PtNDArray) (bias == null ? none : bias)));
            in.add(IValue.listFrom(weights.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new)));
            in.add(IValue.listFrom(buffers(cache == null ? null : cache.keyBuffers())));
            in.add(IValue.listFrom(buffers(cache == null ? null : cache.valueBuffers())));
            in.add(IValue.from(cache == null ? 0L : cache.length()));
            in.add(IValue.from(lastOnly));
            in.add(IValue.from(ids.getDevice().getDeviceType().equals(Device.Type.CPU)));
            for (Object a : familyArgs) {
                in.add(a instanceof Long l ? IValue.from(l) : a instanceof Double d ? IValue.from(d)
                        : a instanceof Boolean b ? IValue.from(b) : IValue.from((PtNDArray) a));
            }
            try (IValue out = module.forward(in.toArray(IValue[]::new))) {
                return out.toTensor((PtNDManager) ids.getManager());
            }
        } finally {
            in.forEach(IValue::close);
        }
    }

    private static PtNDArray[] buffers(NDArray[] arrays) {
        if (arrays == null) {
            return new PtNDArray[0];
        }
        PtNDArray[] out = new PtNDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = (PtNDArray) arrays[i];
        }
        return out;
    }
}
