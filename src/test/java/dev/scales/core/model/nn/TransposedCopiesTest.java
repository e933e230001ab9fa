package dev.scales.core.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.scales.core.model.KvCache;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/**
 * A tall matrix's transposed copy holds its transpose, follows writes into it at the next
 * sequence, is freed when the matrix is no longer bound or the model's manager closes; the copies
 * stay within their budget, leave the machine its reserve of memory, and give it back when the
 * machine runs short.
 */
class TransposedCopiesTest {
    @Test
    void aTallMatrixIsCopiedTransposedAndOthersAreMultipliedAsStored() {
        try (NDManager model = NDManager.newBaseManager()) {
            TransposedCopies copies = new TransposedCopies();
            NDArray tall = matrix(model, 6, 3, 1);
            assertThat(values(copies.of(tall, 6, 3), 18)).containsExactly(transposed(tall));
            assertThat(copies.of(matrix(model, 5, 3, 2), 5, 3)).as("fewer than twice as many rows as columns").isNull();
            assertThat(copies.of(matrix(model, 3, 6, 3), 3, 6)).as("wide").isNull();
            assertThat(copies.count()).isEqualTo(1);
        }
    }

    @Test
    void aWriteIntoTheMatrixIsFollowedAtTheNextSequenceInTheSameCopy() {
        try (NDManager model = NDManager.newBaseManager();
             KvCache first = new KvCache(model, 1);
             KvCache second = new KvCache(model, 1)) {
            TransposedCopies copies = new TransposedCopies();
            NDArray tall = matrix(model, 8, 2, 4);
            FloatBuffer copy = copies.of(tall, 8, 2);
            NDArray[] bound = {tall};
            copies.refresh(bound, first);
            float[] before = transposed(tall);
            tall.muli(-3); // as the optimizer writes: in place
            copies.refresh(bound, first);
            assertThat(values(copy, 16)).as("within a sequence, the copy as it was").containsExactly(before);
            copies.refresh(bound, second);
            assertThat(values(copies.of(tall, 8, 2), 16)).containsExactly(transposed(tall));
            assertThat(copies.of(tall, 8, 2)).as("the same memory").isSameAs(copy);
        }
    }

    @Test
    void aCopyIsFreedWhenItsMatrixIsNoLongerBoundAndAllWithTheModel() {
        try (NDManager parent = NDManager.newBaseManager();
             KvCache cache = new KvCache(parent, 1)) {
            NDManager model = parent.newSubManager();
            TransposedCopies copies = new TransposedCopies();
            NDArray a = matrix(model, 8, 2, 5);
            NDArray b = matrix(model, 10, 2, 6);
            copies.of(a, 8, 2);
            copies.of(b, 10, 2);
            assertThat(model.getManagedArrays()).as("the copies are not the model's arrays").hasSize(2);
            copies.refresh(new NDArray[] {b}, cache);
            assertThat(copies.count()).isEqualTo(1);
            model.close();
            assertThat(copies.count()).as("freed with the model's manager").isZero();
        }
    }

    @Test
    void copiesStayWithinTheirBudget() {
        try (NDManager model = NDManager.newBaseManager();
             KvCache cache = new KvCache(model, 1)) {
            TransposedCopies copies = new TransposedCopies(30 * Float.BYTES, () -> -1);
            NDArray a = matrix(model, 8, 2, 7); // 16 floats
            NDArray b = matrix(model, 10, 2, 8); // 20: past the budget with a's
            NDArray c = matrix(model, 6, 2, 9); // 12: fits beside a
            assertThat(copies.of(a, 8, 2)).isNotNull();
            assertThat(copies.of(b, 10, 2)).isNull();
            assertThat(copies.of(c, 6, 2)).isNotNull();
            copies.refresh(new NDArray[] {}, cache); // both freed
            NDArray d = matrix(model, 12, 2, 10);
            assertThat(copies.of(d, 12, 2)).as("room again").isNotNull();
        }
    }

    @Test
    void noCopyIsMadeThatWouldLeaveTheMachineLessThanItsReserve() {
        try (NDManager model = NDManager.newBaseManager()) {
            long[] available = {TransposedCopies.RESERVE + 20 * Float.BYTES};
            TransposedCopies copies = new TransposedCopies(TransposedCopies.MAX_BYTES, () -> available[0]);
            assertThat(copies.of(matrix(model, 8, 2, 11), 8, 2)).as("16 floats: the reserve stays").isNotNull();
            available[0] -= 16 * Float.BYTES;
            assertThat(copies.of(matrix(model, 6, 2, 12), 6, 2)).as("12 floats of 4 left above the reserve").isNull();
        }
    }

    @Test
    void copiesAreFreedAtTheNextSequenceWhenTheMachineRunsShortAndMadeAgainWhenItHasRoom() {
        try (NDManager model = NDManager.newBaseManager();
             KvCache first = new KvCache(model, 1);
             KvCache second = new KvCache(model, 1);
             KvCache third = new KvCache(model, 1);
             KvCache fourth = new KvCache(model, 1)) {
            long[] available = {TransposedCopies.RESERVE + (1 << 20)};
            TransposedCopies copies = new TransposedCopies(TransposedCopies.MAX_BYTES, () -> available[0]);
            NDArray tall = matrix(model, 8, 2, 13);
            NDArray[] bound = {tall};
            assertThat(copies.of(tall, 8, 2)).isNotNull();
            copies.refresh(bound, first);
            assertThat(copies.count()).isEqualTo(1);

            available[0] = TransposedCopies.RESERVE - 1; // under the reserve, over the release line
            copies.refresh(bound, second);
            assertThat(copies.count()).as("kept: no copy and free again at every sequence").isEqualTo(1);

            available[0] = TransposedCopies.RELEASE - 1; // another model loaded, say
            copies.refresh(bound, third);
            assertThat(copies.count()).as("freed for the machine").isZero();
            assertThat(copies.of(tall, 8, 2)).as("multiplied as stored while memory is short").isNull();

            available[0] = TransposedCopies.RESERVE + (1 << 20);
            copies.refresh(bound, fourth);
            assertThat(values(copies.of(tall, 8, 2), 16)).as("room again").containsExactly(transposed(tall));
        }
    }

    private static NDArray matrix(NDManager m, int rows, int cols, int seed) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(seed * 31 + i);
        }
        return m.create(v, new Shape(rows, cols));
    }

    private static float[] transposed(NDArray a) {
        return a.transpose().flatten().toFloatArray();
    }

    private static float[] values(FloatBuffer b, int n) {
        float[] out = new float[n];
        b.get(0, out);
        return out;
    }
}
