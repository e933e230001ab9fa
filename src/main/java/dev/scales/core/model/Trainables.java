package dev.scales.core.model;

import dev.scales.core.model.nn.HfBlock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which weights train: parameters grouped as {@code embeddings}, {@code layer N} and
 * {@code head} (final norm and output head), and switched between trainable and frozen.
 */
public final class Trainables {
    private static final Pattern LAYER = Pattern.compile("\\.(?:h|layers)\\.(\\d+)\\.");

    private Trainables() {}

    /** The group a parameter belongs to, from its HF name. */
    public static String groupOf(String name) {
        Matcher m = LAYER.matcher(name);
        if (m.find()) {
            return "layer " + m.group(1);
        }
        if (name.contains("wte.") || name.contains("wpe.") || name.contains("embed_tokens.")) {
            return "embeddings";
        }
        return "head";
    }

    /** Parameter names by group, groups in model order. */
    public static Map<String, List<String>> groups(CausalLm lm) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String name : lm.namedParameters().keySet()) {
            groups.computeIfAbsent(groupOf(name), g -> new java.util.ArrayList<>()).add(name);
        }
        return groups;
    }

    /** Makes the parameters whose names pass {@code trainable} collect gradients; freezes the rest. */
    public static void setTrainable(CausalLm lm, Predicate<String> trainable) {
        for (Map.Entry<String, HfBlock.Weight> e : lm.namedParameters().entrySet()) {
            e.getValue().array().setRequiresGradient(trainable.test(e.getKey()));
        }
    }

    public static void freezeAll(CausalLm lm) {
        setTrainable(lm, n -> false);
    }
}
