package dev.scales.core.prompt;

import dev.scales.core.ScalesException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels of a classification task and the text each is written as in the prompt (its
 * verbalizer): label {@code positive} may be written " positive" after "Sentiment:".
 */
public record LabelSet(Map<String, String> verbalizers) {
    public LabelSet {
        if (verbalizers.size() < 2) {
            throw new ScalesException("a classification task needs at least two labels, got " + verbalizers.keySet());
        }
        for (Map.Entry<String, String> e : verbalizers.entrySet()) {
            if (e.getKey().isBlank() || e.getValue().isEmpty()) {
                throw new ScalesException("label '" + e.getKey() + "' needs a name and a non-empty verbalizer");
            }
        }
        verbalizers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(verbalizers));
    }

    /** Labels written as themselves. */
    public static LabelSet of(String... labels) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : labels) {
            m.put(l, l);
        }
        return new LabelSet(m);
    }

    public List<String> labels() {
        return new ArrayList<>(verbalizers.keySet());
    }

    public int size() {
        return verbalizers.size();
    }

    public int indexOf(String label) {
        return labels().indexOf(label);
    }
}
