package dev.scales;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The launcher's restart runs the same program with libtorch's settings in its environment and passes its exit code back. */
class NativeEnvironmentTest {
    /** The child: exits with 3 when OpenMP's threads spin briefly, malloc has its settings and it got its arguments, 4 otherwise. */
    public static final class Child {
        public static void main(String[] args) {
            boolean spin = NativeEnvironment.SPIN_COUNT.equals(System.getenv(NativeEnvironment.OPENMP_SPIN));
            boolean malloc = System.getenv(NativeEnvironment.MALLOC) != null;
            System.exit(spin && malloc && args.length == 2 && args[1].equals("b c") ? 3 : 4);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void restartsWithTheVariablesAndForwardsTheExitCode() throws Exception {
        String before = System.getProperty("scales.openmp-spin");
        String arenas = System.getProperty("scales.malloc-arenas");
        System.clearProperty("scales.openmp-spin");
        System.clearProperty("scales.malloc-arenas");
        try {
            // the test JVM itself may already have them (Surefire sets the spin): the child must get them either way
            assertThat(NativeEnvironment.relaunch(Child.class, new String[] {"a", "b c"})).isEqualTo(3);
        } finally {
            restore("scales.openmp-spin", before);
            restore("scales.malloc-arenas", arenas);
        }
    }

    @Test
    void isNotWantedWhenEachIsTurnedOffOrAlreadySet() {
        String pages = System.getProperty("scales.hugepages");
        String openmp = System.getProperty("scales.openmp-spin");
        String arenas = System.getProperty("scales.malloc-arenas");
        System.setProperty("scales.hugepages", "false");
        System.setProperty("scales.openmp-spin", "false");
        System.setProperty("scales.malloc-arenas", "false");
        try {
            assertThat(NativeEnvironment.missing()).isEmpty();
            assertThat(NativeEnvironment.wanted()).isFalse();
        } finally {
            restore("scales.hugepages", pages);
            restore("scales.openmp-spin", openmp);
            restore("scales.malloc-arenas", arenas);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
