package io.hyphae.strategy.kubernetes.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a label selector against the Kubernetes grammar at start-up, so a typo is refused with
 * the config key's path instead of surfacing later as a 400 from the API server. The API server
 * still does the matching; this class only validates and normalises the text it is sent.
 *
 * <p>Accepts equality-based ({@code k=v}, {@code k==v}, {@code k!=v}) and set-based
 * ({@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}) requirements, joined by commas.
 */
public final class LabelSelectorSyntax {

    private static final String NAME = "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
    private static final String DNS_LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
    private static final String KEY = "(?:" + DNS_LABEL + "(?:\\." + DNS_LABEL + ")*/)?" + NAME;
    private static final String VALUE = "(?:" + NAME + ")?";
    private static final int MAX_PREFIX = 253;

    private static final Pattern EXISTS = Pattern.compile("(" + KEY + ")");
    private static final Pattern NOT_EXISTS = Pattern.compile("!\\s*(" + KEY + ")");
    private static final Pattern EQUALITY = Pattern.compile("(" + KEY + ")\\s*(==|!=|=)\\s*(" + VALUE + ")");
    private static final Pattern SET = Pattern.compile("(" + KEY + ")\\s+(in|notin)\\s*\\(([^()]*)\\)");
    private static final Pattern SET_VALUE = Pattern.compile(VALUE);

    private LabelSelectorSyntax() {
    }

    /**
     * Returns {@code selector} normalised (no stray spaces, {@code ==} written {@code =}).
     *
     * @throws IllegalArgumentException naming the requirement that is not valid
     */
    public static String normalise(String selector) {
        List<String> out = new ArrayList<>();
        for (String requirement : splitTopLevel(selector)) {
            out.add(requirement(requirement.trim()));
        }
        return String.join(",", out);
    }

    private static String requirement(String r) {
        if (r.isEmpty()) {
            throw new IllegalArgumentException("empty requirement (two commas in a row, or a comma at an end)");
        }
        Matcher m = SET.matcher(r);
        if (m.matches()) {
            List<String> values = new ArrayList<>();
            for (String v : m.group(3).split(",", -1)) {
                String value = v.trim();
                if (!SET_VALUE.matcher(value).matches()) {
                    throw invalid(r, "'" + value + "' is not a valid label value");
                }
                values.add(value);
            }
            return key(m.group(1), r) + " " + m.group(2) + " (" + String.join(",", values) + ")";
        }
        m = EQUALITY.matcher(r);
        if (m.matches()) {
            String op = m.group(2).equals("==") ? "=" : m.group(2);
            return key(m.group(1), r) + op + m.group(3);
        }
        m = NOT_EXISTS.matcher(r);
        if (m.matches()) {
            return "!" + key(m.group(1), r);
        }
        m = EXISTS.matcher(r);
        if (m.matches()) {
            return key(m.group(1), r);
        }
        throw invalid(r, "expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key;"
                + " keys and values are up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric");
    }

    private static String key(String key, String requirement) {
        int slash = key.indexOf('/');
        if (slash > MAX_PREFIX) {
            throw invalid(requirement, "the key prefix is longer than " + MAX_PREFIX + " characters");
        }
        return key;
    }

    private static List<String> splitTopLevel(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(selector.substring(start));
        return parts;
    }

    private static IllegalArgumentException invalid(String requirement, String why) {
        return new IllegalArgumentException("'" + requirement + "' is not a valid label selector requirement: " + why);
    }
}
