package dev.scales.core.device;

/**
 * What a running job sees of the scheduler: whether it was cancelled, and — for training —
 * a point between optimizer steps where more urgent queued jobs run first.
 */
public interface JobContext {
    boolean isCancelled();

    /**
     * Runs the queued jobs of higher priority than this one, on this thread, then returns. A
     * training loop calls it between optimizer steps, so those jobs see whole steps' weights.
     */
    void yieldToUrgent();

    /** A context for code run outside the manager (tests, the command line): never cancelled, never yields. */
    JobContext NONE = new JobContext() {
        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void yieldToUrgent() { }
    };
}
