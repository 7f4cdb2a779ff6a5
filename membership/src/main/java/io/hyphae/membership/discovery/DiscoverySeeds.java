package io.hyphae.membership.discovery;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.config.DiscoveryConfig;
import io.hyphae.membership.config.HyphaeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs every strategy of the config's {@code discovery} list at once and reports the union of
 * their seeds, deduplicated, each time it changes. A strategy that fails keeps its last good
 * seeds (its tracker does), so it never takes the others' seeds away; a strategy that reports
 * an empty set contributes nothing.
 */
public final class DiscoverySeeds implements AutoCloseable {

    private final List<DiscoveryStrategy> strategies;
    private final Map<Integer, Set<HostAndPort>> byStrategy = new HashMap<>();
    private Set<HostAndPort> union = Set.of();
    private SeedListener listener;
    private boolean closed;

    private DiscoverySeeds(List<DiscoveryStrategy> strategies) {
        this.strategies = List.copyOf(strategies);
    }

    /**
     * Creates (without starting) one strategy per entry of {@code config.discovery()}, so every
     * block's keys are checked before anything runs.
     *
     * @throws io.hyphae.membership.config.ConfigException naming the config's origin and the
     *     block's key, for an unknown strategy or a bad setting
     */
    public static DiscoverySeeds create(HyphaeConfig config, DiscoveryContext context, ClassLoader loader) {
        List<DiscoveryStrategy> created = new ArrayList<>();
        try {
            List<DiscoveryConfig> blocks = config.discovery();
            for (int i = 0; i < blocks.size(); i++) {
                created.add(DiscoveryStrategies.create(blocks.get(i).section(config.origin(), i), context, loader));
            }
        } catch (RuntimeException e) {
            created.forEach(DiscoveryStrategy::close);
            throw e;
        }
        return new DiscoverySeeds(created);
    }

    /**
     * Starts every strategy; {@code listener} hears the united set whenever it changes, one
     * change at a time and in order (so it must return quickly: hand the set to the overlay's
     * thread rather than work on it).
     */
    public synchronized void start(SeedListener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        for (int i = 0; i < strategies.size(); i++) {
            int index = i;
            strategies.get(i).start(seeds -> update(index, seeds));
        }
    }

    /** The united seeds as last reported. */
    public synchronized Set<HostAndPort> current() {
        return union;
    }

    /** How many strategies run. */
    public int size() {
        return strategies.size();
    }

    // Strategies report from their own threads; one lock keeps the union and its order of
    // reports consistent, and the listener hears each change once, in order.
    private synchronized void update(int index, Set<HostAndPort> seeds) {
        if (closed) {
            return;
        }
        byStrategy.put(index, seeds);
        Set<HostAndPort> next = new LinkedHashSet<>();
        byStrategy.values().forEach(next::addAll);
        if (!next.equals(union)) {
            union = Set.copyOf(next);
            listener.seedsChanged(union);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        strategies.forEach(DiscoveryStrategy::close);
    }
}
