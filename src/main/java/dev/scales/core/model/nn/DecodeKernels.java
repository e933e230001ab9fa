package dev.scales.core.model.nn;

import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/** The vector work of one decoded token ({@link BlasDecode}): OpenBLAS's product, and loops over a few hundred floats. */
public final class DecodeKernels {
    private DecodeKernels() {}

    /** y = alpha·A x + beta·y for a row-major A of {@code rows} × {@code cols}. */
    static void gemv(FloatBuffer a, int rows, int cols, float alpha, FloatBuffer x, float beta, FloatBuffer y) {
        openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, rows, cols,
                alpha, a, cols, x, 1, beta, y, 1);
    }

    /** y = Aᵀ x + beta·y for a row-major A of {@code rows} × {@code cols} (x has rows values, y cols). */
    static void gemvTransposed(FloatBuffer a, int rows, int cols, FloatBuffer x, float beta, FloatBuffer y) {
        openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans, rows, cols,
                1f, a, cols, x, 1, beta, y, 1);
    }

    /** The first n values turned into their softmax, in place (max subtracted, exponentials in double). */
    static void softmax(FloatBuffer s, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, s.get(i));
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(s.get(i) - max);
            s.put(i, e);
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (int i = 0; i < n; i++) {
            s.put(i, s.get(i) * inv);
        }
    }

    /** x ← (x − mean) / √(var + eps) · w + b over n values (a biased variance, as torch's layer_norm). */
    public static void layerNorm(FloatBuffer x, int n, FloatBuffer w, FloatBuffer b, float eps, FloatBuffer out) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x.get(i);
        }
        float mean = (float) (sum / n);
        double squares = 0;
        for (int i = 0; i < n; i++) {
            float c = x.get(i) - mean;
            squares += c * c;
        }
        float inv = (float) (1 / Math.sqrt(squares / n + eps));
        for (int i = 0; i < n; i++) {
            out.put(i, (x.get(i) - mean) * inv * w.get(i) + b.get(i));
        }
    }

    /** out ← x / √(mean(x²) + eps) · w over n values. */
    public static void rmsNorm(FloatBuffer x, int n, FloatBuffer w, float eps, FloatBuffer out) {
        double squares = 0;
        for (int i = 0; i < n; i++) {
            float v = x.get(i);
            squares += v * v;
        }
        float rms = (float) Math.sqrt(squares / n + eps);
        for (int i = 0; i < n; i++) {
            out.put(i, x.get(i) / rms * w.get(i));
        }
    }
}
