package dev.scales.core.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which projections get LoRA adapters, as PEFT decides it: a list of names (a module matches a
 * name when its path is that name or ends with "." and the name), a regular expression the whole
 * path must match, or "all-linear" (every projection but the output head).
 */
record LoraTargets(List<String> names, Pattern regex) {
    static final String ALL_LINEAR = "all-linear";

    static LoraTargets names(List<String> names) {
        return new LoraTargets(List.copyOf(names), null);
    }

    /** PEFT's string form: "all-linear", or a regular expression. */
    static LoraTargets of(String pattern) {
        return pattern.equals(ALL_LINEAR) ? new LoraTargets(List.of(ALL_LINEAR), null)
                : new LoraTargets(List.of(), Pattern.compile(pattern));
    }

    boolean matches(String module) {
        if (regex != null) {
            return regex.matcher(module).matches();
        }
        if (names.equals(List.of(ALL_LINEAR))) {
            return !module.equals("lm_head") && !module.endsWith(".lm_head");
        }
        return names.stream().anyMatch(n -> module.equals(n) || module.endsWith("." + n));
    }

    /** The names (or the pattern) that matched none of {@code modules}. */
    List<String> unmatched(Collection<String> modules) {
        if (regex != null || names.equals(List.of(ALL_LINEAR))) {
            return modules.isEmpty() ? List.of(regex != null ? regex.pattern() : ALL_LINEAR) : List.of();
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (modules.stream().noneMatch(m -> m.equals(n) || m.endsWith("." + n))) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * How to write {@code modules} as PEFT's list: their last names when those select exactly them
     * (["q_proj", "v_proj"]), else their full paths.
     */
    static List<String> asList(Collection<String> modules, Collection<String> allProjections) {
        List<String> last = modules.stream().map(m -> m.substring(m.lastIndexOf('.') + 1)).distinct().toList();
        LoraTargets byName = names(last);
        boolean exact = allProjections.stream().allMatch(m -> byName.matches(m) == modules.contains(m));
        return exact ? last : List.copyOf(modules);
    }
}
