package dev.scales.core.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it for chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=…, separators=…, sort_keys=…)}, so a template that
 * writes tool schemas or arguments gets Python's spacing ({@code {"a": 1, "b": 2}}), not compact JSON.
 */
final class PythonJson implements AdvancedFilter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indentArg = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
        String indent = null;
        if (indentArg instanceof Number n) {
            indent = " ".repeat(n.intValue());
        } else if (indentArg instanceof String s) {
            indent = s;
        }
        String itemSep = indent == null ? ", " : ",";
        String keySep = ": ";
        if (kwargs.get("separators") instanceof java.util.List<?> seps && seps.size() == 2) {
            itemSep = String.valueOf(seps.get(0));
            keySep = String.valueOf(seps.get(1));
        }
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        StringBuilder sb = new StringBuilder();
        write(sb, var, indent, itemSep, keySep, sortKeys, 0);
        return sb.toString();
    }

    static void write(StringBuilder sb, Object v, String indent, String itemSep, String keySep, boolean sortKeys,
                      int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : d == Math.rint(d) && Math.abs(d) < 1e16 ? String.format(java.util.Locale.ROOT, "%.1f", d)
                    : Double.toString(d));
        } else if (v instanceof Number n) {
            sb.append(n);
        } else if (v instanceof Map<?, ?> m) {
            Iterator<? extends Map.Entry<?, ?>> it = (sortKeys ? new java.util.TreeMap<>(m) : m).entrySet().iterator();
            open(sb, '{', m.isEmpty(), indent, depth);
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                string(sb, String.valueOf(e.getKey()));
                sb.append(keySep);
                write(sb, e.getValue(), indent, itemSep, keySep, sortKeys, depth + 1);
                separate(sb, it.hasNext(), itemSep, indent, depth);
            }
            sb.append('}');
        } else if (v instanceof Iterable<?> list) {
            Iterator<?> it = list.iterator();
            open(sb, '[', !it.hasNext(), indent, depth);
            while (it.hasNext()) {
                write(sb, it.next(), indent, itemSep, keySep, sortKeys, depth + 1);
                separate(sb, it.hasNext(), itemSep, indent, depth);
            }
            sb.append(']');
        } else if (v instanceof Object[] array) {
            write(sb, java.util.Arrays.asList(array), indent, itemSep, keySep, sortKeys, depth);
        } else {
            string(sb, v.toString());
        }
    }

    private static void open(StringBuilder sb, char bracket, boolean empty, String indent, int depth) {
        sb.append(bracket);
        if (indent != null && !empty) {
            sb.append('\n').append(indent.repeat(depth + 1));
        }
    }

    private static void separate(StringBuilder sb, boolean more, String itemSep, String indent, int depth) {
        if (more) {
            sb.append(itemSep);
            if (indent != null) {
                sb.append('\n').append(indent.repeat(depth + 1));
            }
        } else if (indent != null) {
            sb.append('\n').append(indent.repeat(depth));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
