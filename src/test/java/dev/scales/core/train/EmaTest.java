package dev.scales.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EmaTest {
    @Test
    void theFirstPointIsItselfAndAConstantStaysConstant() {
        Ema ema = new Ema(0.9);
        assertThat(ema.add(4.0)).isCloseTo(4.0, within(1e-12));
        assertThat(ema.add(4.0)).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void itFollowsAStepSlowly() {
        Ema ema = new Ema(0.5);
        ema.add(0);
        // last = 0.5·0 + 0.5·1 = 0.5, debias 1 − 0.25 = 0.75 → 2/3
        assertThat(ema.add(1)).isCloseTo(2.0 / 3, within(1e-12));
    }
}
