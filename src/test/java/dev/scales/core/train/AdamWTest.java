package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.scales.core.model.GradMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The optimizer computes torch.optim.AdamW's update, step after step, skips non-finite gradients, and frees what it made. */
class AdamWTest {
    private static final float LR = 0.01f;
    private static final float B1 = 0.9f;
    private static final float B2 = 0.999f;
    private static final float EPS = 1e-8f;
    private static final float WD = 0.1f;

    @Test
    void threeStepsFollowTheAdamWFormulaWithDecayOnlyWhereAskedAndClipping() {
        float[] w0 = {0.5f, -1.0f, 2.0f, 0.25f};
        float[] b0 = {0.1f, -0.2f};
        // d(loss)/dw = c per step: loss = Σ w·c (so the gradient is c whatever w is)
        float[][] cw = {{1f, -2f, 0.5f, 3f}, {-1f, 1f, 0.25f, 2f}, {0.5f, 0.5f, -4f, 1f}};
        float[][] cb = {{2f, 1f}, {-1f, 3f}, {0.5f, -0.5f}};
        float clip = 3f;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.create(w0);
            NDArray b = manager.create(b0);
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            int before = manager.getManagedArrays().size();
            double[] ew = toDouble(w0);
            double[] eb = toDouble(b0);
            double[][] mw = new double[2][4];
            double[][] mb = new double[2][2];
            try (AdamW opt = new AdamW(manager, List.of(w, b), i -> i == 0, B1, B2, EPS, WD)) {
                for (int t = 1; t <= 3; t++) {
                    backward(manager, w, b, cw[t - 1], cb[t - 1]);
                    double norm = opt.step(LR, clip, true);

                    double expectedNorm = Math.sqrt(sumSquares(cw[t - 1]) + sumSquares(cb[t - 1]));
                    assertThat(norm).isCloseTo(expectedNorm, within(1e-4));
                    double scale = expectedNorm > clip ? clip / (expectedNorm + 1e-6) : 1;
                    reference(ew, cw[t - 1], mw, t, scale, WD);
                    reference(eb, cb[t - 1], mb, t, scale, 0);
                    assertClose(w.toFloatArray(), ew, "weights after step " + t);
                    assertClose(b.toFloatArray(), eb, "biases (no decay) after step " + t);
                }
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
        }
    }

    @Test
    void aNonFiniteGradientUpdatesNothingAndTheStepDoesNotCount() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.create(new float[] {0.5f, -1.0f});
            NDArray b = manager.create(new float[] {0.1f});
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            // Only undecayed parameters: the script's decayed group is empty.
            try (AdamW opt = new AdamW(manager, List.of(w, b), i -> false, B1, B2, EPS, WD)) {
                backward(manager, w, b, new float[] {1f, 2f}, new float[] {3f});
                opt.step(LR, 1f, false);
                float[] w1 = w.toFloatArray();
                float[] b1 = b.toFloatArray();

                backward(manager, w, b, new float[] {Float.NaN, 2f}, new float[] {3f});
                try (NDManager keep = manager.newSubManager()) {
                    assertThat(opt.stepOnDevice(LR, 1f, keep).getFloat()).isNaN();
                }
                assertThat(w.toFloatArray()).containsExactly(w1);
                assertThat(b.toFloatArray()).containsExactly(b1);
                assertThat(opt.stepsTaken()).isEqualTo(1);
                assertThat(w.getGradient().toFloatArray()).containsOnly(0f);

                backward(manager, w, b, new float[] {Float.POSITIVE_INFINITY, 2f}, new float[] {3f});
                assertThatThrownBy(() -> opt.step(LR, 0f, true))
                        .hasMessageContaining("gradient norm is")
                        .hasMessageContaining("at step 2").hasMessageContaining("skipped");
                assertThat(w.toFloatArray()).containsExactly(w1);

                backward(manager, w, b, new float[] {1f, 2f}, new float[] {3f});
                opt.step(LR, 1f, false);
                assertThat(opt.stepsTaken()).isEqualTo(2);
                assertThat(w.toFloatArray()[1]).isNotEqualTo(w1[1]);
            }
        }
    }

    /** Leaves d(Σ w·cw + Σ b·cb) in the parameters' gradients. */
    private static void backward(NDManager manager, NDArray w, NDArray b, float[] cw, float[] cb) {
        try (NDManager step = manager.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            collector.backward(step.create(cw).mul(w).sum().add(step.create(cb).mul(b).sum()));
        }
        GradMode.inference();
    }

    /** AdamW as torch.optim.AdamW defines it: decoupled decay, then the bias-corrected step, ε on the corrected √v. */
    private static void reference(double[] p, float[] g, double[][] mv, int t, double scale, double wd) {
        double bc1 = 1 - Math.pow(B1, t);
        double bc2 = 1 - Math.pow(B2, t);
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] * scale;
            p[i] *= 1 - LR * wd;
            mv[0][i] = B1 * mv[0][i] + (1 - B1) * gi;
            mv[1][i] = B2 * mv[1][i] + (1 - B2) * gi * gi;
            p[i] -= LR / bc1 * mv[0][i] / (Math.sqrt(mv[1][i]) / Math.sqrt(bc2) + EPS);
        }
    }

    private static void assertClose(float[] actual, double[] expected, String what) {
        assertThat(actual).as(what).hasSize(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as(what + " [" + i + "]").isCloseTo(expected[i], within(1e-5));
        }
    }

    private static double sumSquares(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return s;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
