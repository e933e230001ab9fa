package dev.scales.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Test
    void ordersTokensByLogitHighestFirstAndTiesByLowerIdAsAStableSortWould() {
        java.util.Random random = new java.util.Random(4);
        float[] z = new float[5000];
        for (int i = 0; i < z.length; i++) {
            z[i] = random.nextInt(50) / 4f - 6f; // many ties
        }
        z[7] = -0.0f;
        z[8] = 0.0f;
        z[9] = Float.NaN;
        z[10] = Float.POSITIVE_INFINITY;
        z[11] = Float.NEGATIVE_INFINITY;
        Integer[] expected = new Integer[z.length];
        for (int i = 0; i < z.length; i++) {
            expected[i] = i;
        }
        java.util.Arrays.sort(expected, (a, b) -> Float.compare(z[b], z[a]));
        assertThat(Sampler.descending(z)).containsExactly(java.util.Arrays.stream(expected).mapToInt(i -> i).toArray());
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOnce() {
        float[] z = {2f, -2f, 1f};
        Sampler.applyRepetitionPenalty(z, new long[] {0, 1, 0}, 3, 2f);
        assertThat(z).containsExactly(1f, -4f, 1f);
    }

    @Test
    void topKSamplesOnlyAmongTheKMostLikely() {
        float[] logits = {0f, 5f, 4.9f, 4.8f, -1f};
        for (int seed = 0; seed < 200; seed++) {
            int id = new Sampler(new GenerationSettings(1, 1, 2, 1, 1, seed, List.of(), true)).next(logits, new long[0], 0);
            assertThat(id).isIn(1, 2);
        }
    }

    @Test
    void samplingFollowsTheDistribution() {
        // p = softmax([ln 3, 0]) = [0.75, 0.25]
        float[] logits = {(float) Math.log(3), 0f};
        Sampler s = new Sampler(new GenerationSettings(1, 1, 0, 1, 1, 42, List.of(), true));
        int first = 0;
        for (int i = 0; i < 4000; i++) {
            if (s.next(logits, new long[0], 0) == 0) {
                first++;
            }
        }
        assertThat(first / 4000.0).isBetween(0.72, 0.78);
    }

    @Test
    void softmaxSumsToOne() {
        double[] p = dev.scales.core.util.Softmax.probabilities(new float[] {1000f, 999f, -1000f});
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(p[0]).isGreaterThan(p[1]);
    }
}
