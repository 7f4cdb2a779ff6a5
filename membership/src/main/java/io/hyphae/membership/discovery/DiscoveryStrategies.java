package io.hyphae.membership.discovery;

import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds strategy providers on the class path by name, through {@link ServiceLoader}. */
public final class DiscoveryStrategies {

    private DiscoveryStrategies() {
    }

    /** Every provider on the class path, by name. */
    public static Map<String, DiscoveryStrategyProvider> available(ClassLoader loader) {
        Map<String, DiscoveryStrategyProvider> byName = new TreeMap<>();
        for (DiscoveryStrategyProvider p : ServiceLoader.load(DiscoveryStrategyProvider.class, loader)) {
            byName.putIfAbsent(p.name(), p);
        }
        return byName;
    }

    /**
     * Creates the strategy that {@code block}'s {@code strategy:} key names.
     *
     * @throws ConfigException for an unknown name (listing the known ones, and the artifact
     *     that brings the one asked for) or a bad value inside the block
     */
    public static DiscoveryStrategy create(ConfigSection block, DiscoveryContext context, ClassLoader loader) {
        return provider(block, loader).create(block, context);
    }

    /**
     * The provider that {@code block}'s {@code strategy:} key names, so a config file can be
     * checked for unknown strategies before anything starts.
     *
     * @throws ConfigException for a missing or unknown name, listing the known ones
     */
    public static DiscoveryStrategyProvider provider(ConfigSection block, ClassLoader loader) {
        String name = block.string("strategy");
        Map<String, DiscoveryStrategyProvider> known = available(loader);
        DiscoveryStrategyProvider provider = known.get(name);
        if (provider == null) {
            throw block.error("strategy", "unknown strategy '" + name + "'; known here: "
                    + (known.isEmpty() ? "none" : String.join(", ", known.keySet()))
                    + " (each strategy is its own artifact, e.g. io.hyphae:hyphae-strategy-" + name + ")");
        }
        return provider;
    }
}
