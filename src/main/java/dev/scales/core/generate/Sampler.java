package dev.scales.core.generate;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from a logit vector: repetition penalty, then greedy argmax or
 * temperature / top-k / top-p sampling with a seeded generator. Runs in Java on the last
 * position's logits (one vector per step), so it is exact and reproducible on any device.
 */
public final class Sampler {
    private final GenerationSettings settings;
    private final Random random;

    public Sampler(GenerationSettings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
    }

    /** The chosen token id. {@code seen} are the ids so far (prompt and generated), for the penalty. */
    public int next(float[] logits, long[] seen, int seenCount) {
        float[] z = logits;
        if (settings.repetitionPenalty() != 1) {
            z = logits.clone(); // the caller's logits stay as the model gave them
            applyRepetitionPenalty(z, seen, seenCount, (float) settings.repetitionPenalty());
        }
        if (settings.isGreedy()) {
            return argmax(z);
        }
        int n = z.length;
        final float[] scaled = z;
        int[] order = descending(z);
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), n) : n;
        double max = scaled[order[0]] / settings.temperature();
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(scaled[order[i]] / settings.temperature() - max);
            sum += p[i];
        }
        // Top-p: the smallest prefix (by probability) whose mass reaches p; always at least one token.
        int nucleus = keep;
        if (settings.topP() < 1) {
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += p[i] / sum;
                if (cumulative >= settings.topP()) {
                    nucleus = i + 1;
                    break;
                }
            }
        }
        double mass = 0;
        for (int i = 0; i < nucleus; i++) {
            mass += p[i];
        }
        double u = random.nextDouble() * mass;
        for (int i = 0; i < nucleus; i++) {
            u -= p[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[nucleus - 1];
    }

    /**
     * Token ids by logit, highest first, ties by lower id (the order of a stable sort by
     * {@link Float#compare}), sorted as primitive keys: the logit's bits made order-preserving and
     * inverted in the high half, the id in the low half. A 150k vocabulary sorts in milliseconds.
     */
    static int[] descending(float[] z) {
        long[] keys = new long[z.length];
        for (int i = 0; i < z.length; i++) {
            int bits = Float.floatToIntBits(z[i]);
            bits ^= (bits >> 31) & 0x7fffffff; // ordered as the floats are, NaN above +∞
            keys[i] = ((long) ~bits << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[z.length];
        for (int i = 0; i < z.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** HF's rule: a seen token's positive logit is divided by the penalty, a negative one multiplied. */
    static void applyRepetitionPenalty(float[] z, long[] seen, int seenCount, float penalty) {
        boolean[] done = new boolean[z.length];
        for (int i = 0; i < seenCount; i++) {
            int id = (int) seen[i];
            if (id >= 0 && id < z.length && !done[id]) {
                done[id] = true;
                z[id] = z[id] > 0 ? z[id] / penalty : z[id] * penalty;
            }
        }
    }

    public static int argmax(float[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }
}
