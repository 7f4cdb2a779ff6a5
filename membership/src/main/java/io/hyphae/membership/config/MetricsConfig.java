package io.hyphae.membership.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code metrics} section. The meters go to the {@code MeterRegistry} the application hands
 * in; this only says whether to register them and which tags to add.
 *
 * @param enabled false registers no meters at all (a test or a tiny embedded use)
 * @param tags tags added, with {@code node=<name>}, to the node's overlay, broadcast and member
 *     meters, for example the zone; the transport's and discovery's meters carry only their own
 *     tags, so for tags on every meter set common tags on the registry itself
 */
public record MetricsConfig(boolean enabled, Map<String, String> tags) {

    public static final MetricsConfig DEFAULTS = new MetricsConfig(true, Map.of());

    public MetricsConfig {
        tags = Map.copyOf(tags);
    }

    static MetricsConfig read(ConfigSection s) {
        boolean enabled = s.bool("enabled", DEFAULTS.enabled());
        ConfigSection tagSection = s.section("tags");
        Map<String, String> tags = new LinkedHashMap<>();
        for (String key : tagSection.keys()) {
            tags.put(key, tagSection.string(key));
        }
        s.rejectUnknownKeys();
        return new MetricsConfig(enabled, tags);
    }
}
