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

    /**
     * The weights the job runs on, as the model bar names them ("scales-tiny · base", or a LoRA
     * fine-tune's name), so every answer and figure can say which; empty outside the manager.
     */
    default String weights() {
        return "";
    }

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
