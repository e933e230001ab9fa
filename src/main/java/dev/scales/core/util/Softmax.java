package dev.scales.core.util;

/** Softmax and log-softmax in double precision, stable for large logits. */
public final class Softmax {
    private Softmax() {}

    public static double[] probabilities(double[] z) {
        double[] lp = logProbabilities(z);
        for (int i = 0; i < lp.length; i++) {
            lp[i] = Math.exp(lp[i]);
        }
        return lp;
    }

    public static double[] probabilities(float[] z) {
        return probabilities(widen(z));
    }

    public static double[] logProbabilities(float[] z) {
        return logProbabilities(widen(z));
    }

    public static double[] logProbabilities(double[] z) {
        double log = logNormalizer(z);
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] - log;
        }
        return out;
    }

    /** log Σ exp(z): the log-softmax of z[i] is z[i] minus this (double precision). */
    public static double logNormalizer(float[] z) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : z) {
            sum += Math.exp((double) v - max); // as logNormalizer(double[]) on the widened values
        }
        return max + Math.log(sum);
    }

    public static double logNormalizer(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    private static double[] widen(float[] z) {
        double[] d = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            d[i] = z[i];
        }
        return d;
    }
}
