package io.hyphae.membership;

import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.DiscoveryStrategyProvider;
import io.hyphae.membership.discovery.SeedListener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test strategy ({@code strategy: settable}, {@code topic: <name>}) whose seeds the test sets
 * with {@link #set}: every node naming that topic hears the new set, as if DNS or Kubernetes
 * had changed.
 */
public final class SettableSeedsProvider implements DiscoveryStrategyProvider {

    private static final Map<String, Set<HostAndPort>> SEEDS = new ConcurrentHashMap<>();
    private static final Map<String, List<SeedListener>> LISTENERS = new ConcurrentHashMap<>();

    /** Reports {@code seeds} to every running strategy of {@code topic}, and to those started later. */
    public static void set(String topic, Set<HostAndPort> seeds) {
        SEEDS.put(topic, Set.copyOf(seeds));
        LISTENERS.getOrDefault(topic, List.of()).forEach(l -> l.seedsChanged(Set.copyOf(seeds)));
    }

    @Override
    public String name() {
        return "settable";
    }

    @Override
    public DiscoveryStrategy create(ConfigSection config, DiscoveryContext context) {
        String topic = config.string("topic");
        config.rejectUnknownKeys();
        return new DiscoveryStrategy() {
            private SeedListener listener;

            @Override
            public void start(SeedListener l) {
                listener = l;
                LISTENERS.computeIfAbsent(topic, k -> new CopyOnWriteArrayList<>()).add(l);
                l.seedsChanged(SEEDS.getOrDefault(topic, Set.of()));
            }

            @Override
            public void close() {
                LISTENERS.getOrDefault(topic, List.of()).remove(listener);
            }
        };
    }
}
