package dev.scales;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings libtorch reads from its environment once, when it starts. A JVM cannot change its own
 * environment, so on Linux the launcher starts the program again as a child with them set, passes
 * it the terminal, and exits with its code:
 * <ul>
 *   <li>{@code THP_MEM_ALLOC_ENABLE=1}, huge pages for large tensors (docs/decisions/0015): a
 *       training step allocates activations, logits and gradients of tens to hundreds of megabytes
 *       afresh, and every 4 KiB page of them faults on first touch; with 2 MiB pages a GPT-2-sized
 *       step ran ~25% faster. Only where transparent huge pages are not {@code never};
 *       {@code -Dscales.hugepages=false} turns it off.
 *   <li>{@code GOMP_SPINCOUNT=20000}, OpenMP threads that spin a short while when they wait, then
 *       sleep (docs/decisions/0023): with another busy process or the app's own UI on the same
 *       cores, a thread spinning for GNU OpenMP's default 300,000 turns holds a core the thread it
 *       waits for needs, and libtorch ran 2–5× slower than with the short spin, which costs
 *       nothing on an idle machine; {@code -Dscales.openmp-spin=false} turns it off.
 *   <li>{@code GLIBC_TUNABLES=glibc.malloc.arena_max=1}, one malloc arena for every thread
 *       (docs/decisions/0027): a model's worker thread otherwise allocates from an arena of its
 *       own, whose 64 MiB heaps glibc creates and deletes as a training step's tensors come and go
 *       (~450 times in 8 seconds of GPT-2 LoRA steps), so their pages fault and are zeroed afresh
 *       every step (16% of the machine's time there); {@code -Dscales.malloc-arenas=false} turns
 *       it off.
 * </ul>
 * A variable the user set is left as it is.
 */
final class NativeEnvironment {
    static final String HUGE_PAGES = "THP_MEM_ALLOC_ENABLE";
    static final String OPENMP_SPIN = "GOMP_SPINCOUNT";
    static final String SPIN_COUNT = "20000";
    static final String MALLOC = "GLIBC_TUNABLES";
    static final String ONE_ARENA = "glibc.malloc.arena_max=1";
    private static final Path THP = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    private NativeEnvironment() {}

    /** True when this process should be started again with {@link #missing()} set. */
    static boolean wanted() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                && System.getProperty("jdk.module.path") == null // a plain class path, which can be restarted as is
                && !missing().isEmpty();
    }

    /** The variables this process lacks: not set by the user, not turned off, and of use on this machine. */
    static Map<String, String> missing() {
        Map<String, String> out = new LinkedHashMap<>();
        if (System.getenv(HUGE_PAGES) == null && !"false".equals(System.getProperty("scales.hugepages"))
                && hugePagesAvailable()) {
            out.put(HUGE_PAGES, "1");
        }
        if (System.getenv(OPENMP_SPIN) == null && System.getenv("OMP_WAIT_POLICY") == null
                && !"false".equals(System.getProperty("scales.openmp-spin"))) {
            out.put(OPENMP_SPIN, SPIN_COUNT);
        }
        if (System.getenv(MALLOC) == null && !"false".equals(System.getProperty("scales.malloc-arenas"))) {
            out.put(MALLOC, ONE_ARENA);
        }
        return out;
    }

    private static boolean hugePagesAvailable() {
        try {
            return Files.isReadable(THP) && !Files.readString(THP).contains("[never]");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Runs {@code main} with {@code args} in a child JVM with {@link #missing()} set; returns its exit code. */
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
        builder.environment().putAll(missing());
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
