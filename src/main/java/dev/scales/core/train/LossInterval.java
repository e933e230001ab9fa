package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The steps since the last report, their losses and last gradient norm kept on the device until
 * {@link #read} takes them in one synchronisation.
 */
final class LossInterval implements AutoCloseable {
    private final NDManager parent;
    private NDManager scope;
    private NDArray lossSum;
    private NDArray norm;
    private int steps;

    LossInterval(NDManager parent) {
        this.parent = parent;
    }

    NDManager scope() {
        if (scope == null) {
            scope = parent.newSubManager();
        }
        return scope;
    }

    void add(TrainStep.Kept k) {
        lossSum = lossSum == null ? k.loss() : lossSum.add(k.loss());
        norm = k.gradNorm();
        steps++;
    }

    int steps() {
        return steps;
    }

    /** The mean loss and the last gradient norm of the interval; the next interval starts empty. */
    float[] read() {
        float[] r = {lossSum.getFloat() / steps, norm.getFloat()};
        close();
        lossSum = null;
        norm = null;
        steps = 0;
        return r;
    }

    @Override
    public void close() {
        if (scope != null) {
            scope.close();
            scope = null;
        }
    }
}
