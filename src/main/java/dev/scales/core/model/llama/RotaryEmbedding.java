package dev.scales.core.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.scales.core.model.ModelConfig;

/**
 * Rotary position embedding in HF's "rotate_half" layout: dimension i pairs with i + d/2,
 * both rotated by the angle pos·f_i. The cos/sin tables (maxPositions, d) are computed once,
 * in double precision, with the config's rope scaling applied to the frequencies.
 */
public final class RotaryEmbedding {
    private final NDArray cos;
    private final NDArray sin;

    public RotaryEmbedding(ModelConfig c, NDManager manager) {
        int d = c.headDim();
        double[] inv = c.ropeScaling().inverseFrequencies(d, c.ropeTheta());
        int n = c.maxPositions();
        float[] cosT = new float[n * d];
        float[] sinT = new float[n * d];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < d / 2; i++) {
                // HF computes the angle in float32: pos * inv_freq, both float32.
                float angle = (float) p * (float) inv[i];
                float cv = (float) Math.cos(angle);
                float sv = (float) Math.sin(angle);
                cosT[p * d + i] = cv;
                cosT[p * d + i + d / 2] = cv;
                sinT[p * d + i] = sv;
                sinT[p * d + i + d / 2] = sv;
            }
        }
        cos = manager.create(cosT, new Shape(n, d));
        sin = manager.create(sinT, new Shape(n, d));
    }

    /** The cos table (positions, d). */
    public NDArray cosTable() {
        return cos;
    }

    /** The sin table (positions, d). */
    public NDArray sinTable() {
        return sin;
    }

    /** cos and sin for the given positions (B, T), each (B, 1, T, d), ready to broadcast over heads. */
    public NDArray[] lookup(NDArray positions) {
        NDArray c = ai.djl.nn.core.Embedding.embedding(positions, cos, SparseFormat.DENSE).singletonOrThrow();
        NDArray s = ai.djl.nn.core.Embedding.embedding(positions, sin, SparseFormat.DENSE).singletonOrThrow();
        return new NDArray[] {c.expandDims(1), s.expandDims(1)};
    }

    /** x·cos + rotate_half(x)·sin for x (B, H, T, d). */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3); // 2 × (B, H, T, d/2)
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
