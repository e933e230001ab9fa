package dev.scales;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Huge pages for libtorch's large tensors on Linux (docs/decisions/0015). A training step
 * allocates activations, logits and gradients of tens to hundreds of megabytes afresh every step,
 * and every 4 KiB page of them faults on first touch: with 2 MiB pages a GPT-2-sized step ran
 * ~25% faster. libtorch asks for them only when {@code THP_MEM_ALLOC_ENABLE} is in its
 * environment when it starts, and a JVM cannot change its own environment, so the launcher
 * starts the program again as a child with the variable set, passes it the terminal, and exits
 * with its code. {@code -Dscales.hugepages=false} (or the variable set to 0) turns this off.
 */
final class NativeAllocator {
    static final String VARIABLE = "THP_MEM_ALLOC_ENABLE";
    private static final Path THP = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    private NativeAllocator() {}

    /** True when this process should be started again with huge pages on. */
    static boolean wanted() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                && System.getenv(VARIABLE) == null
                && !"false".equals(System.getProperty("scales.hugepages"))
                && System.getProperty("jdk.module.path") == null // a plain class path, which can be restarted as is
                && hugePagesAvailable();
    }

    private static boolean hugePagesAvailable() {
        try {
            return Files.isReadable(THP) && !Files.readString(THP).contains("[never]");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Runs {@code main} with {@code args} in a child JVM with huge pages on; returns its exit code. */
    static int relaunch(Class<?> main, String[] args) throws java.io.IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        String self = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(self);
        // an installed app's own launcher sets its JVM options and class path again; java needs them
        if (Path.of(self).getFileName().toString().matches("java(\\.exe)?")) {
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(main.getName());
        }
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(VARIABLE, "1");
        // a launcher that finds its own marker thinks it is restarting itself and reads the arguments as a JVM's
        builder.environment().keySet().removeIf(name -> name.startsWith("_JPACKAGE_LAUNCHER"));
        Process child = builder.start();
        Thread stop = new Thread(child::destroy, "stop-child");
        Runtime.getRuntime().addShutdownHook(stop);
        int code = child.waitFor();
        Runtime.getRuntime().removeShutdownHook(stop);
        return code;
    }
}
