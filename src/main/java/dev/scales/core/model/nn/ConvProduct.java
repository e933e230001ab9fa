package dev.scales.core.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/**
 * y = x Wᵀ + b for many rows on a CPU, computed as oneDNN's 1×1 convolution (called directly:
 * libtorch's convolution dispatcher would first probe NNPACK and warn on every call on CPUs it
 * does not support), forward and backward: oneDNN uses the CPU's widest vector units where libtorch's BLAS
 * may not (on the AMD machines measured, AVX-512 against AVX2: a layer's products forward and
 * backward in ~35% less time, docs/BENCHMARKS.md). Same autograd as {@code linear}. Not for an
 * output head: oneDNN reorders the weight on every call, which costs more than it saves for a
 * vocabulary-sized matrix.
 */
public final class ConvProduct {
    /** Rows (tokens) from which the convolution beats the plain product. */
    static final long MIN_ROWS = 32;
    /**
     * Multiply-adds (rows × in × out) from which the kernel's gain outweighs a TorchScript call's
     * ~60–100 µs: a small model's products stay plain operators.
     */
    static final long MIN_WORK = 1L << 24;
    /** Output features up to which it does (beyond, the weight's reordering dominates). */
    static final long MAX_OUT = 16_384;

    private static final String SOURCE = """
            class ConvProduct(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.ConvProduct, x: Tensor, w: Tensor, b: Tensor) -> Tensor:
                rows = x.numel() // x.size(-1)
                shape = x.size()
                shape[-1] = w.size(0)
                bias : Optional[Tensor] = None
                if b.numel() > 0:
                  bias = b
                xt = x.reshape([1, rows, x.size(-1)]).transpose(1, 2)
                y = torch.mkldnn_convolution(xt, w.unsqueeze(2), bias, [0], [1], [1], 1)
                return y.transpose(1, 2).reshape(shape)
            """;

    private ConvProduct() {}

    /** True when {@code x} (…, in) times a weight of {@code out} rows is worth a convolution. */
    public static boolean worthIt(NDArray x, long out) {
        long in = x.getShape().get(x.getShape().dimension() - 1);
        long rows = x.size() / in;
        return x.getDevice().getDeviceType().equals(Device.Type.CPU) && out <= MAX_OUT && rows >= MIN_ROWS
                && rows * in * out >= MIN_WORK;
    }

    /** x (…, in), w [out, in], b [out] or an empty tensor → (…, out). */
    public static NDArray apply(NDArray x, NDArray w, NDArray b) {
        return TorchScript.forward(TorchScript.shared("ConvProduct", () -> SOURCE), x, w, b).singletonOrThrow();
    }
}
