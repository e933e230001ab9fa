package dev.scales.core.eval;

/**
 * Contextual calibration (Zhao et al. 2021): a model's label probabilities are biased by the
 * prompt (majority label, recency, common tokens). The probabilities it gives a content-free
 * input such as "N/A" measure that bias; dividing by them and renormalising removes it.
 */
public final class Calibration {
    private Calibration() {}

    /** Label probabilities from label log-scores (softmax over the labels only). */
    public static double[] probabilities(double[] logScores) {
        return dev.scales.core.util.Softmax.probabilities(logScores);
    }

    /** p ⊘ p_cf, renormalised: W = diag(p_cf)⁻¹ with b = 0, as in the paper. */
    public static double[] calibrate(double[] p, double[] contentFree) {
        double[] q = new double[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            q[i] = p[i] / Math.max(contentFree[i], 1e-12);
            sum += q[i];
        }
        for (int i = 0; i < q.length; i++) {
            q[i] /= sum;
        }
        return q;
    }

    /** The mean of several content-free inputs' probabilities (the paper averages "N/A", "", "[MASK]"). */
    public static double[] mean(double[][] ps) {
        double[] m = new double[ps[0].length];
        for (double[] p : ps) {
            for (int i = 0; i < m.length; i++) {
                m[i] += p[i] / ps.length;
            }
        }
        return m;
    }

    public static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
