package dev.scales.ui.prompt;

/**
 * The weights a job ran on, as the model bar names them: set on the job's thread when it starts,
 * read on the FX thread when its results are shown.
 */
final class JobWeights {
    private volatile String name;

    void set(String name) {
        this.name = name;
    }

    /** The weights' name; null before the job started. */
    String get() {
        return name;
    }

    /** " · on <weights>" for a status line; empty when the job did not say. */
    String suffix() {
        String w = name;
        return w == null || w.isEmpty() ? "" : " · on " + w;
    }
}
