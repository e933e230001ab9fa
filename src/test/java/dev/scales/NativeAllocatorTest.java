package dev.scales;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The launcher's restart runs the same program with huge pages on and passes its exit code back. */
class NativeAllocatorTest {
    /** The child: exits with 3 when it has the variable and got its arguments, 4 otherwise. */
    public static final class Child {
        public static void main(String[] args) {
            boolean variable = "1".equals(System.getenv(NativeAllocator.VARIABLE));
            System.exit(variable && args.length == 2 && args[1].equals("b c") ? 3 : 4);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void restartsWithTheVariableAndForwardsTheExitCode() throws Exception {
        assertThat(NativeAllocator.relaunch(Child.class, new String[] {"a", "b c"})).isEqualTo(3);
    }

    @Test
    void isNotWantedWhenTurnedOff() {
        String before = System.getProperty("scales.hugepages");
        System.setProperty("scales.hugepages", "false");
        try {
            assertThat(NativeAllocator.wanted()).isFalse();
        } finally {
            if (before == null) {
                System.clearProperty("scales.hugepages");
            } else {
                System.setProperty("scales.hugepages", before);
            }
        }
    }
}
