package dev.scales.core.prompt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Choosing and ordering demonstrations, reproducibly: first k, random k or balanced per label,
 * as listed or shuffled, and optionally with random labels (Min et al. 2022 found wrong labels
 * in demonstrations barely hurt — the lab lets you check).
 */
public final class Demonstrations {
    /** How k demonstrations are picked from the pool. */
    public enum Choice { FIRST, RANDOM, BALANCED }

    private Demonstrations() {}

    /**
     * k demonstrations from the enabled examples of {@code pool}.
     *
     * @param outputOf  the label an example's output stands for (for balancing), or null when unlabelled
     */
    public static List<Example> choose(List<Example> pool, int k, Choice choice, boolean shuffle, long seed,
                                       java.util.function.Function<Example, String> outputOf) {
        List<Example> enabled = pool.stream().filter(Example::enabled).toList();
        int n = Math.min(k, enabled.size());
        Random random = new Random(seed);
        List<Example> picked = switch (choice) {
            case FIRST -> new ArrayList<>(enabled.subList(0, n));
            case RANDOM -> {
                List<Example> copy = new ArrayList<>(enabled);
                Collections.shuffle(copy, random);
                yield new ArrayList<>(copy.subList(0, n));
            }
            case BALANCED -> balanced(enabled, n, random, outputOf);
        };
        if (shuffle) {
            Collections.shuffle(picked, new Random(seed * 7919 + 1));
        }
        return picked;
    }

    /** Round-robin over the labels (each label's examples in random order) until k are taken. */
    private static List<Example> balanced(List<Example> pool, int k, Random random,
                                          java.util.function.Function<Example, String> outputOf) {
        Map<String, List<Example>> byLabel = new LinkedHashMap<>();
        for (Example e : pool) {
            byLabel.computeIfAbsent(outputOf == null ? e.output() : outputOf.apply(e), x -> new ArrayList<>()).add(e);
        }
        byLabel.values().forEach(l -> Collections.shuffle(l, random));
        List<Example> out = new ArrayList<>();
        for (int round = 0; out.size() < k; round++) {
            boolean any = false;
            for (List<Example> l : byLabel.values()) {
                if (round < l.size() && out.size() < k) {
                    out.add(l.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return out;
    }

    /** The same demonstrations with each output replaced by a label drawn at random (seeded). */
    public static List<Example> withRandomLabels(List<Example> demos, List<String> outputs, long seed) {
        // SplittableRandom mixes its seed: java.util.Random's first draw is nearly the same for
        // neighbouring seeds (seeds 0–4 all drew the same label at k = 1).
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        return demos.stream().map(e -> new Example(e.input(), outputs.get(random.nextInt(outputs.size())), e.enabled()))
                .toList();
    }
}
