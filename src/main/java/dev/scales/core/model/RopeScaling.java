package dev.scales.core.model;

import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;

/**
 * How a Llama-family model stretches RoPE beyond its training length: none, {@code linear}
 * (positions divided by a factor) or {@code llama3} (low frequencies divided, high kept,
 * a smooth blend between).
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions) {
    public enum Type { NONE, LINEAR, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 1, 1, 0);

    /** Parses {@code rope_scaling} (null, or an object with {@code rope_type} or the legacy {@code type}). */
    static RopeScaling parse(JsonObject o, String where) {
        if (o == null) {
            return NONE;
        }
        String type = o.has("rope_type") ? o.get("rope_type").getAsString()
                : o.has("type") ? o.get("type").getAsString() : "default";
        return switch (type) {
            case "default" -> NONE;
            case "linear" -> new RopeScaling(Type.LINEAR, positive(o, "factor", where), 1, 1, 0);
            case "llama3" -> new RopeScaling(Type.LLAMA3, positive(o, "factor", where),
                    positive(o, "low_freq_factor", where), positive(o, "high_freq_factor", where),
                    (int) positive(o, "original_max_position_embeddings", where));
            default -> throw new ScalesException(where + ": rope_scaling type '" + type + "' is not supported "
                    + "(supported: linear, llama3)");
        };
    }

    private static double positive(JsonObject o, String key, String where) {
        if (!o.has(key) || !o.get(key).isJsonPrimitive()) {
            throw new ScalesException(where + ": rope_scaling needs a numeric '" + key + "'");
        }
        double v = o.get(key).getAsDouble();
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new ScalesException(where + ": rope_scaling." + key + " must be positive, got " + v);
        }
        return v;
    }

    /** The inverse frequencies 1/theta^(2i/d) for i < d/2, scaled as this type says. */
    public double[] inverseFrequencies(int headDim, double theta) {
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
        }
        switch (type) {
            case NONE -> { }
            case LINEAR -> {
                for (int i = 0; i < half; i++) {
                    inv[i] /= factor;
                }
            }
            case LLAMA3 -> {
                double lowWavelen = originalMaxPositions / lowFreqFactor;
                double highWavelen = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < half; i++) {
                    double wavelen = 2 * Math.PI / inv[i];
                    if (wavelen < highWavelen) {
                        continue; // high frequencies: unchanged
                    }
                    if (wavelen > lowWavelen) {
                        inv[i] /= factor; // low frequencies: scaled like linear
                    } else {
                        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        return inv;
    }
}
