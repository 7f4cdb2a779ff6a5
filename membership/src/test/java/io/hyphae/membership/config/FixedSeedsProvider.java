package io.hyphae.membership.config;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.DiscoveryStrategyProvider;
import io.hyphae.membership.discovery.SeedListener;
import java.util.Set;

/**
 * A strategy only the membership module's tests see ({@code strategy: fixed}): the real
 * strategies live in modules that depend on this one, and the loader must find some strategy
 * by name to be tested.
 */
public final class FixedSeedsProvider implements DiscoveryStrategyProvider {

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public DiscoveryStrategy create(ConfigSection config, DiscoveryContext context) {
        Set<HostAndPort> seeds = Set.copyOf(config.hostAndPorts("seeds", -1));
        config.rejectUnknownKeys();
        return new DiscoveryStrategy() {
            @Override
            public void start(SeedListener listener) {
                listener.seedsChanged(seeds);
            }

            @Override
            public void close() {
            }
        };
    }
}
