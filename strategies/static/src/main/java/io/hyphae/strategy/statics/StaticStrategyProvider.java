package io.hyphae.strategy.statics;

import io.hyphae.membership.discovery.HostResolver;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.DiscoveryStrategyProvider;
import java.time.Duration;
import java.util.List;

/**
 * {@code strategy: static}: a fixed list of {@code host:port} seeds whose host names are
 * resolved again on every poll.
 *
 * <pre>
 * discovery:
 *   - strategy: static
 *     seeds: [10.0.0.1:7946, node-b.example.com:7946]
 *     poll-interval: 30s
 * </pre>
 */
public final class StaticStrategyProvider implements DiscoveryStrategyProvider {

    public static final String NAME = "static";
    /** How often names are looked up again; the JVM's own DNS cache (30 s by default) adds to it. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DiscoveryStrategy create(ConfigSection config, DiscoveryContext context) {
        return new StaticStrategy(settings(config), context, HostResolver.SYSTEM);
    }

    static StaticStrategy.Settings settings(ConfigSection config) {
        if (!config.has("seeds")) {
            throw config.error("seeds", "is required (expected a list of host:port, e.g. [10.0.0.1:7946])");
        }
        List<HostAndPort> seeds = config.hostAndPorts("seeds", -1);
        if (seeds.isEmpty()) {
            throw config.error("seeds", "expected at least one host:port");
        }
        Duration poll = config.positiveDuration("poll-interval", DEFAULT_POLL_INTERVAL);
        config.rejectUnknownKeys();
        return new StaticStrategy.Settings(seeds, poll);
    }
}
