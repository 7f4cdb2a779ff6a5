package io.hyphae.membership.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of the {@code discovery} list: a strategy's name and its own settings, as written.
 * The strategy reads and checks its settings when the node creates it (see
 * {@code io.hyphae.membership.discovery.DiscoverySeeds}), because only the strategy knows its
 * keys; the loader checks that the strategy exists.
 *
 * @param strategy the {@code strategy:} value, for example {@code dns}
 * @param settings the block's other keys and their raw values
 */
public record DiscoveryConfig(String strategy, Map<String, Object> settings) {

    public DiscoveryConfig {
        Objects.requireNonNull(strategy, "strategy");
        // Not Map.copyOf: a key written without a value is null, meaning "absent".
        settings = frozen(settings);
        if (settings.containsKey("strategy")) {
            throw new IllegalArgumentException("settings must not repeat the strategy key");
        }
    }

    /** A deep, unmodifiable copy that keeps null values (a key written without a value means "absent"). */
    static Map<String, Object> frozen(Map<String, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, frozenValue(v)));
        return Collections.unmodifiableMap(copy);
    }

    private static Object frozenValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), frozenValue(x)));
            return Collections.unmodifiableMap(copy);
        }
        if (v instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(x -> copy.add(frozenValue(x)));
            return Collections.unmodifiableList(copy);
        }
        return v;
    }

    /** The block as a config section, so the strategy's errors name {@code origin} and {@code discovery[index]}. */
    public ConfigSection section(String origin, int index) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("strategy", strategy);
        block.putAll(settings);
        return new ConfigSection(origin, "discovery[" + index + "]", block);
    }
}
