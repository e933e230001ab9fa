package dev.scales.core.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Activations as libtorch's fused kernels (one pass forward, one backward) instead of a chain
 * of DJL operators, each of which writes a fresh activation-sized tensor: GPT-2's tanh GELU was
 * nine operators, three tensor products among them (docs/BENCHMARKS.md). Same math, same
 * autograd: the kernels record their own backward when grad mode is on. A call costs ~60–100 µs
 * of TorchScript overhead, more than the operators it replaces on a decode step's few thousand
 * values, so callers use it from {@link #WORTH_IT} values up.
 */
public final class FusedActivations {
    private static final String GELU_TANH = """
            class GeluTanh(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.GeluTanh, x: Tensor) -> Tensor:
                return torch.gelu(x, approximate="tanh")
            """;

    private static final String SILU_MUL = """
            class SiluMul(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.SiluMul, gate: Tensor, up: Tensor) -> Tensor:
                return torch.mul(torch.silu(gate), up)
            """;

    /** Values from which a fused kernel beats its chain of operators (libtorch's parallel grain). */
    public static final long WORTH_IT = 32_768;

    private FusedActivations() {}

    /** GPT-2's gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    public static NDArray geluTanh(NDArray x) {
        return TorchScript.forward(TorchScript.shared("GeluTanh", () -> GELU_TANH), x).singletonOrThrow();
    }

    /** Llama's gated MLP activation: silu(gate) · up, with silu(g) = g·σ(g). */
    public static NDArray siluMul(NDArray gate, NDArray up) {
        return TorchScript.forward(TorchScript.shared("SiluMul", () -> SILU_MUL), gate, up).singletonOrThrow();
    }
}
