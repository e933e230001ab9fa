package dev.scales.core.device;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One piece of model work queued with the {@link ModelManager}. It ends in exactly one of
 * done, cancelled or failed, which its future reports; cancelling a queued job removes it,
 * cancelling a running one asks it to stop at its next check.
 */
public final class Job<T> {
    /** Queue order: lower runs first. */
    public enum Priority { INTERACTIVE, EVALUATION, TRAINING }

    /** Where a job is in its life. */
    public enum State { QUEUED, RUNNING, DONE, CANCELLED, FAILED }

    private final long id;
    private final String name;
    private final Priority priority;
    private final String device;
    private final CompletableFuture<T> future = new CompletableFuture<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
    private volatile String waitingFor = "";
    private final Runnable onChange;

    Job(long id, String name, Priority priority, String device, Runnable onChange) {
        this.id = id;
        this.name = name;
        this.priority = priority;
        this.device = device;
        this.onChange = onChange;
    }

    public long id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Priority priority() {
        return priority;
    }

    /** The device whose worker runs it: "CPU", "GPU 0"… */
    public String device() {
        return device;
    }

    public State state() {
        return state.get();
    }

    /** Why a queued job has not started (empty when it is simply next in line). */
    public String waitingFor() {
        return waitingFor;
    }

    public CompletableFuture<T> future() {
        return future;
    }

    /** True once cancellation was asked for: a running job polls this between its steps. */
    public boolean isCancelled() {
        return state.get() == State.CANCELLED;
    }

    /** Cancels the job: a queued one never runs; a running one stops at its next check. */
    public void cancel() {
        State s = state.get();
        if ((s == State.QUEUED || s == State.RUNNING) && state.compareAndSet(s, State.CANCELLED)) {
            if (s == State.QUEUED) {
                future.cancel(false);
            }
            onChange.run();
        }
    }

    boolean start() {
        boolean started = state.compareAndSet(State.QUEUED, State.RUNNING);
        if (started) {
            waitingFor = "";
            onChange.run();
        }
        return started;
    }

    void waitFor(String reason) {
        if (!reason.equals(waitingFor)) {
            waitingFor = reason;
            onChange.run();
        }
    }

    void finish(T value, Throwable error) {
        if (error != null) {
            state.compareAndSet(State.RUNNING, State.FAILED);
            future.completeExceptionally(error);
        } else if (state.get() == State.CANCELLED) {
            future.cancel(false);
        } else {
            state.set(State.DONE);
            future.complete(value);
        }
        onChange.run();
    }

    @Override
    public String toString() {
        return name + " (" + state.get().name().toLowerCase(java.util.Locale.ROOT)
                + (waitingFor.isEmpty() ? "" : ": " + waitingFor) + ")";
    }
}
