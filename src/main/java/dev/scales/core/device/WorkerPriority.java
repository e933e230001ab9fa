package dev.scales.core.device;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The workers' threads run below the desktop's: on Linux at nice {@value #NICE}, which the
 * threads they start (libtorch's OpenMP team, OpenBLAS's) inherit. With every core busy training,
 * the window's own threads (JavaFX's, the renderer's) then come first and the window answers at
 * once; with the cores free the work runs at full speed, as nice only orders threads that wait for
 * a core. Elsewhere Java's lowest thread priority asks the same of the system.
 */
final class WorkerPriority {
    /** Nice values run from -20 (first) to 19 (last); 0 is everyone's. */
    static final int NICE = 10;
    private static final int PRIO_PROCESS = 0; // with a thread's id: that thread alone (Linux)

    private WorkerPriority() {}

    /** Lowers the calling thread's priority; where the system refuses, it keeps its own. */
    static void lowerThisThread() {
        Thread.currentThread().setPriority(Thread.MIN_PRIORITY);
        if (!Platform.isLinux()) {
            return;
        }
        try {
            LibC c = Native.load("c", LibC.class);
            c.setpriority(PRIO_PROCESS, c.gettid(), NICE);
        } catch (LinkageError | RuntimeException e) {
            // an old C library without gettid: the worker keeps the desktop's priority
        }
    }

    /** The current thread's nice value on Linux (0 elsewhere, or where it cannot be read). */
    static int niceOfThisThread() {
        if (!Platform.isLinux()) {
            return 0;
        }
        try {
            LibC c = Native.load("c", LibC.class);
            return c.getpriority(PRIO_PROCESS, c.gettid());
        } catch (LinkageError | RuntimeException e) {
            return 0;
        }
    }

    /** The C library's calls for a thread's priority. */
    interface LibC extends Library {
        int gettid();

        int setpriority(int which, int who, int prio);

        int getpriority(int which, int who);
    }
}
