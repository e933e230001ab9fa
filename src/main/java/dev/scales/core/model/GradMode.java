package dev.scales.core.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's grad mode is per thread and only the thread that started the engine has it off
 * (measured): every inference entry point turns it off on its own thread, or the forward
 * pass would record an autograd graph it never uses.
 */
public final class GradMode {
    private GradMode() {}

    public static void inference() {
        engine();
        JniUtils.setGradMode(false);
    }

    public static void training() {
        engine();
        JniUtils.setGradMode(true);
    }

    /** The native library is loaded with the engine; before that the JNI call would not link. */
    private static void engine() {
        dev.scales.core.Offline.configure();
        ai.djl.engine.Engine.getEngine("PyTorch");
    }
}
