package dev.scales.core.train;

/**
 * An exponential moving average debiased for its start, as TensorBoard smooths loss curves:
 * without the correction the first points would be pulled towards zero.
 */
public final class Ema {
    private final double weight;
    private double last;
    private int count;

    /** @param weight how much of the past each point keeps, in [0, 1); 0.9 smooths over ~10 points */
    public Ema(double weight) {
        if (!(weight >= 0 && weight < 1)) {
            throw new IllegalArgumentException("EMA weight must be within [0, 1), got " + weight);
        }
        this.weight = weight;
    }

    /** Adds a value and returns the smoothed value so far. */
    public double add(double value) {
        last = last * weight + (1 - weight) * value;
        count++;
        return last / (1 - Math.pow(weight, count));
    }
}
