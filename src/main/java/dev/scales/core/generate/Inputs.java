package dev.scales.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Builds the tensors of one forward pass: token ids, positions and the additive attention mask
 * (0 where a query may look, a large negative number where it may not).
 */
public final class Inputs {
    /** Added to masked scores: exp(score - 1e9) is 0, and a fully masked row stays finite. */
    static final float MASKED = -1e9f;

    private Inputs() {}

    /** ids (B, T), positions (B, T), bias (B|1, 1, T, S) or null. */
    public record Batch(NDArray ids, NDArray positions, NDArray bias) {}

    /** One sequence continuing after {@code past} cached positions. */
    public static Batch single(NDManager m, long[] ids, long past) {
        long[] positions = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            positions[i] = past + i;
        }
        return new Batch(m.create(ids).reshape(1, ids.length), m.create(positions).reshape(1, ids.length),
                causalBias(m, ids.length, past));
    }

    /**
     * Causal mask for T new queries after {@code past} cached keys: (1, 1, T, past + T), or null
     * when T is 1 (a single new token may see every earlier one).
     */
    public static NDArray causalBias(NDManager m, int t, long past) {
        if (t == 1) {
            return null;
        }
        int s = Math.toIntExact(past + t);
        float[] bias = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = (int) past + i + 1; j < s; j++) {
                bias[i * s + j] = MASKED;
            }
        }
        return m.create(bias, new Shape(1, 1, t, s));
    }

    /**
     * Several continuations of one shared, cached prefix of {@code past} positions, left-padded to
     * the longest: every query sees the whole prefix, then its own earlier tokens, never padding.
     * Positions continue from the prefix (padding gets position {@code past}).
     */
    public static Batch afterPrefix(NDManager m, long[][] rows, long past, long padId) {
        int b = rows.length;
        int t = 0;
        for (long[] r : rows) {
            t = Math.max(t, r.length);
        }
        int p = Math.toIntExact(past);
        int s = p + t;
        long[] ids = new long[b * t];
        long[] positions = new long[b * t];
        float[] bias = new float[b * t * s];
        for (int r = 0; r < b; r++) {
            int pad = t - rows[r].length;
            for (int i = 0; i < t; i++) {
                boolean real = i >= pad;
                ids[r * t + i] = real ? rows[r][i - pad] : padId;
                positions[r * t + i] = real ? past + i - pad : past;
                for (int j = 0; j < t; j++) {
                    if (!(j <= i && j >= pad)) {
                        bias[(r * t + i) * s + p + j] = MASKED;
                    }
                }
            }
        }
        return new Batch(m.create(ids).reshape(b, t), m.create(positions).reshape(b, t),
                m.create(bias, new Shape(b, 1, t, s)));
    }

    /**
     * Several sequences of different lengths, left-padded to the longest with {@code padId}.
     * Positions count real tokens only (HF: cumsum(mask) - 1), so each row's logits equal those
     * of the row run alone. Returns the batch and each row's padding length.
     */
    public static Batch leftPadded(NDManager m, long[][] rows, long padId) {
        return afterPrefix(m, rows, 0, padId);
    }
}
