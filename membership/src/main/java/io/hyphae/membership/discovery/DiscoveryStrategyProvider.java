package io.hyphae.membership.discovery;

import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;

/**
 * Makes a strategy from its block of the config file. Implementations are registered in
 * {@code META-INF/services/io.hyphae.membership.discovery.DiscoveryStrategyProvider}, so the
 * file's {@code strategy:} value chooses one by {@link #name()} alone.
 */
public interface DiscoveryStrategyProvider {

    /** The name used as {@code strategy:} in the config file, for example {@code dns}. */
    String name();

    /**
     * Reads and validates {@code config} (the strategy's own block, without the {@code strategy}
     * key), calling {@link ConfigSection#rejectUnknownKeys()} once every key is read.
     *
     * @throws ConfigException naming the key and what was expected, for any bad value
     */
    DiscoveryStrategy create(ConfigSection config, DiscoveryContext context);
}
