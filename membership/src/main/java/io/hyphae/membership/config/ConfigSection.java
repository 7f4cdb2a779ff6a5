package io.hyphae.membership.config;

import io.hyphae.membership.HostAndPort;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of a config file (the whole file, or a nested block such as one discovery
 * strategy), with typed getters that fail with the file, the key's path and what was expected.
 *
 * <p>Every getter records the key it was asked for; {@link #rejectUnknownKeys()} then refuses
 * any key nobody asked for, naming the nearest known one, so a typo never passes silently.
 */
public final class ConfigSection {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    private final String source;
    private final String path;
    private final Map<String, Object> values;
    private final Set<String> known = new LinkedHashSet<>();

    public ConfigSection(String source, String path, Map<String, ?> values) {
        this.source = source;
        this.path = path == null ? "" : path;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** A section with no file behind it, for code that builds config by hand. */
    public static ConfigSection of(Map<String, ?> values) {
        return new ConfigSection(null, "", values);
    }

    public String source() {
        return source;
    }

    public String path() {
        return path;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * The values as written (nested mappings and lists included), for a block whose keys only
     * someone else knows, such as a strategy's settings. Marks no key as known.
     */
    public Map<String, Object> values() {
        return values;
    }

    public boolean has(String key) {
        known.add(key);
        return values.get(key) != null;
    }

    /** A failure at {@code key} inside this section. */
    public ConfigException error(String key, String problem) {
        return new ConfigException(source, childPath(key), problem);
    }

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> error(key, "is required (expected a string)"));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public Optional<String> optionalString(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            throw error(key, "expected a string, got " + describe(v));
        }
        return Optional.of(v.toString());
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        long n;
        if (v instanceof Number number && !(v instanceof Double || v instanceof Float)) {
            n = number.longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw error(key, "expected a whole number from " + min + " to " + max + ", got " + describe(v));
            }
        }
        if (n < min || n > max) {
            throw error(key, "expected a whole number from " + min + " to " + max + ", got " + n);
        }
        return (int) n;
    }

    public boolean bool(String key, boolean defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) {
            return true;
        }
        if (s.equals("false")) {
            return false;
        }
        throw error(key, "expected true or false, got " + describe(v));
    }

    /**
     * A duration written as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, a
     * combination such as {@code 1m30s}, or ISO-8601 ({@code PT5S}).
     */
    public Duration duration(String key, Duration defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        Duration d = parseDuration(v.toString());
        if (d == null) {
            throw error(key, "expected a duration such as 500ms, 5s, 2m or PT5S, got " + describe(v));
        }
        return d;
    }

    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration d = duration(key, defaultValue);
        if (d.isZero() || d.isNegative()) {
            throw error(key, "expected a duration greater than zero, got " + d);
        }
        return d;
    }

    /** Parses the duration syntax of {@link #duration}; null when it is not one. */
    public static Duration parseDuration(String text) {
        String s = text.trim();
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        Matcher m = DURATION.matcher(s);
        Duration total = Duration.ZERO;
        int at = 0;
        try {
            while (m.find() && m.start() == at) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
                at = m.end();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // more digits than a long holds, or longer than a Duration can be
        }
        return at == s.length() && at > 0 ? total : null;
    }

    /**
     * A size in bytes, written as a whole number of bytes or with a binary unit: {@code 512B},
     * {@code 64KiB}, {@code 1MiB}, {@code 1GiB}.
     */
    public int bytes(String key, int defaultValue, int min, int max) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        String expected = "expected a size from " + min + " to " + max + " bytes such as 65536, 64KiB or 1MiB, got ";
        Matcher m = SIZE.matcher(v.toString().trim());
        if (v instanceof Double || v instanceof Float || !m.matches()) {
            throw error(key, expected + describe(v));
        }
        long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
        long n;
        try {
            n = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(key, expected + describe(v));
        }
        if (n < min || n > max) {
            throw error(key, expected + describe(v));
        }
        return (int) n;
    }

    /** A {@code host:port} ({@code [v6]:port} for IPv6), or a bare host when {@code defaultPort >= 0}. */
    public HostAndPort hostAndPort(String key, int defaultPort) {
        return parseHostAndPort(key, string(key), defaultPort);
    }

    public List<String> strings(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw error(key, "expected a list, got " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item == null || item instanceof Map || item instanceof List) {
                throw new ConfigException(source, childPath(key) + "[" + i + "]", "expected a string, got " + describe(item));
            }
            out.add(item.toString());
        }
        return List.copyOf(out);
    }

    public List<HostAndPort> hostAndPorts(String key, int defaultPort) {
        List<String> items = strings(key);
        List<HostAndPort> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(parseHostAndPort(key + "[" + i + "]", items.get(i), defaultPort));
        }
        return List.copyOf(out);
    }

    /** A nested mapping; an absent key gives an empty section. */
    public ConfigSection section(String key) {
        Object v = raw(key);
        if (v == null) {
            return new ConfigSection(source, childPath(key), Map.of());
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw error(key, "expected a mapping of keys, got " + describe(v));
        }
        return new ConfigSection(source, childPath(key), stringKeys(key, map));
    }

    /** A list of mappings, such as the {@code discovery} list. */
    public List<ConfigSection> sections(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw error(key, "expected a list, got " + describe(v));
        }
        List<ConfigSection> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String itemPath = key + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw error(itemPath, "expected a mapping of keys, got " + describe(list.get(i)));
            }
            out.add(new ConfigSection(source, childPath(itemPath), stringKeys(itemPath, map)));
        }
        return List.copyOf(out);
    }

    /**
     * Refuses any key that no getter asked for, naming the nearest known key. Call it after
     * reading every key the section may hold.
     */
    public void rejectUnknownKeys() {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                String nearest = nearest(key);
                throw error(key, "unknown key" + (nearest == null ? "" : " (did you mean '" + nearest + "'?)")
                        + "; known keys here: " + String.join(", ", known));
            }
        }
    }

    private Object raw(String key) {
        known.add(key);
        return values.get(key);
    }

    private HostAndPort parseHostAndPort(String key, String text, int defaultPort) {
        try {
            return HostAndPort.parse(text, defaultPort);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    private Map<String, Object> stringKeys(String key, Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (!(k instanceof String s)) {
                throw error(key, "keys must be strings, got " + describe(k));
            }
            out.put(s, v);
        });
        return out;
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "'" + v + "'";
    }
}
