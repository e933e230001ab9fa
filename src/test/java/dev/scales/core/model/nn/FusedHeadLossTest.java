package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.scales.core.model.GradMode;
import dev.scales.core.train.LanguageModelLoss;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fused head and loss gives what the logits and libtorch's log-softmax give: the same loss,
 * the same gradients of the hidden states and of a trained head, chunk by chunk, whatever rows
 * are left out of the loss.
 */
class FusedHeadLossTest {
    private static final int ROWS = 2;
    private static final int TIME = 7;
    private static final int WIDTH = 16;
    private static final int VOCAB = 37;

    @ParameterizedTest(name = "head trained: {0}, chunk of {1} logits, {2} passes, scale {3}")
    @CsvSource({"false, 1000000, 1, 1", "true, 1000000, 1, 1", "true, 111, 3, 0.25", "false, 40, 2, 0.5"})
    void givesTheLossAndGradientsOfTheLogitsPath(boolean trainHead, int chunkFloats, int passes, float scale) {
        GradMode.training();
        try (NDManager m = NDManager.newBaseManager()) {
            long[] targets = new long[ROWS * TIME];
            float[] weights = new float[ROWS * TIME];
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < targets.length; i++) {
                targets[i] = random.nextInt(VOCAB);
                weights[i] = i % 3 == 0 ? 0f : 1f; // some positions do not count, as a prompt's
            }
            float count = 0;
            for (float w : weights) {
                count += w;
            }
            m.getEngine().setRandomSeed(11);
            NDArray hidden = m.randomNormal(new Shape(ROWS, TIME, WIDTH));
            NDArray head = m.randomNormal(new Shape(VOCAB, WIDTH));
            float counted = count;
            // from the second pass on, a trained head's gradient is added into the one libtorch holds
            float[][] fused = run(m, hidden, head, trainHead, passes, (h, w, scope) -> FusedHeadLoss.loss(h, w,
                    targets, weights, counted, scale, scope, chunkFloats));
            float[][] plain = run(m, hidden, head, trainHead, passes, (h, w, scope) -> LanguageModelLoss.crossEntropy(
                    ai.djl.nn.core.Linear.linear(h, w).singletonOrThrow(),
                    scope.create(targets, new Shape(ROWS, TIME)), scope.create(weights, new Shape(ROWS, TIME)),
                    counted, scope).mul(scope.full(new Shape(), scale)));
            assertThat(fused[0][0]).as("loss").isCloseTo(plain[0][0], within(1e-5f));
            assertClose(fused[1], plain[1], "∂hidden");
            if (trainHead) {
                assertClose(fused[2], plain[2], "∂head");
            }
        } finally {
            GradMode.inference();
        }
    }

    @Test
    void aTargetFarBelowEveryOtherTokenStillHasAFiniteLoss() {
        GradMode.training();
        try (NDManager m = NDManager.newBaseManager()) {
            float[] h = new float[WIDTH];
            h[0] = 1f;
            float[] w = new float[VOCAB * WIDTH];
            w[0] = -200f; // token 0's logit is 200 below the others': its probability underflows a float
            NDArray hidden = m.create(h, new Shape(1, 1, WIDTH));
            NDArray head = m.create(w, new Shape(VOCAB, WIDTH));
            NDArray loss = FusedHeadLoss.loss(hidden, head, new long[] {0}, new float[] {1f}, 1f, 1f, m);
            assertThat(loss.getFloat()).isCloseTo(200f + (float) Math.log(VOCAB - 1 + Math.exp(-200)), within(1e-3f));
        } finally {
            GradMode.inference();
        }
    }

    @Test
    void aTargetOutsideTheVocabularyIsRefusedByPosition() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray hidden = m.zeros(new Shape(1, 2, WIDTH));
            NDArray head = m.zeros(new Shape(VOCAB, WIDTH));
            assertThatThrownBy(() -> FusedHeadLoss.loss(hidden, head, new long[] {3, VOCAB}, new float[] {1f, 1f}, 2f, 1f, m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token id 37 at position 1").hasMessageContaining("vocabulary of 37");
        }
    }

    @Test
    void leavesOnlyItsResultAndWhatTheBackwardPassKeeps() {
        GradMode.training();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray hidden = m.randomNormal(new Shape(1, 4, WIDTH));
            NDArray head = m.randomNormal(new Shape(VOCAB, WIDTH));
            hidden.setRequiresGradient(true);
            try (NDManager scope = m.newSubManager()) {
                FusedHeadLoss.loss(hidden, head, new long[] {1, 2, 3, 4}, new float[] {1, 1, 1, 1}, 4f, 1f, scope, 40);
                // the result, ∂hidden, the loss constant and the surrogate's four operators; the chunk's buffers are closed
                assertThat(scope.getManagedArrays()).hasSizeLessThanOrEqualTo(8);
            }
            assertThat(m.getManagedArrays()).containsExactlyInAnyOrder(hidden, head);
        } finally {
            GradMode.inference();
        }
    }

    private interface Loss {
        NDArray of(NDArray hidden, NDArray head, NDManager scope);
    }

    /** The last loss, and ∂hidden and ∂head summed over {@code passes} backward passes, on fresh copies of the inputs. */
    private static float[][] run(NDManager m, NDArray hidden, NDArray head, boolean trainHead, int passes, Loss loss) {
        try (NDManager scope = m.newSubManager()) {
            NDArray h = hidden.duplicate();
            NDArray w = head.duplicate();
            h.attach(scope);
            w.attach(scope);
            h.setRequiresGradient(true);
            w.setRequiresGradient(trainHead);
            float last = Float.NaN;
            for (int i = 0; i < passes; i++) {
                try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray l = loss.of(h, w, scope);
                    collector.backward(l);
                    last = l.getFloat();
                }
            }
            return new float[][] {{last}, h.getGradient().toFloatArray(),
                trainHead ? w.getGradient().toFloatArray() : new float[0]};
        }
    }

    private static void assertClose(float[] got, float[] want, String what) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as(what + " " + i).isCloseTo(want[i], within(1e-5f + 1e-4f * Math.abs(want[i])));
        }
    }
}
