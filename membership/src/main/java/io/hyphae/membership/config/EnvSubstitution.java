package io.hyphae.membership.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in every string of a parsed file with
 * values from the environment, so the key's path can be named when a variable is missing.
 * {@code $$} stands for a literal {@code $}. As in a shell, {@code :-} also applies when the
 * variable is set but empty. A value that substitution leaves empty counts as not written, so
 * {@code advertise: ${ADVERTISE:-}} means "use the default unless ADVERTISE is set".
 */
final class EnvSubstitution {

    private final String origin;
    private final UnaryOperator<String> env;

    EnvSubstitution(String origin, UnaryOperator<String> env) {
        this.origin = origin;
        this.env = env;
    }

    Object apply(Object node, String path) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, apply(v, path.isEmpty() ? String.valueOf(k) : path + "." + k)));
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(apply(list.get(i), path + "[" + i + "]"));
            }
            return out;
        }
        if (node instanceof String s && s.indexOf('$') >= 0) {
            String replaced = substitute(s, path);
            return replaced.isEmpty() ? null : replaced;
        }
        return node;
    }

    private String substitute(String text, String path) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
            } else if (text.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new ConfigException(origin, path, "unclosed '${' in '" + text + "' (write $$ for a literal $)");
                }
                out.append(resolve(text.substring(i + 2, close), path));
                i = close + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String resolve(String expression, String path) {
        int sep = expression.indexOf(":-");
        String name = sep < 0 ? expression : expression.substring(0, sep);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new ConfigException(origin, path, "expected an environment variable name in '${" + expression
                    + "}' (letters, digits and _), as in ${NAME} or ${NAME:-default}");
        }
        String value = env.apply(name);
        if (value != null && !(sep >= 0 && value.isEmpty())) {
            return value;
        }
        if (sep >= 0) {
            return expression.substring(sep + 2);
        }
        throw new ConfigException(origin, path, "refers to ${" + name + "}, which is not set in the environment"
                + " (set it, or give a default: ${" + name + ":-value})");
    }
}
