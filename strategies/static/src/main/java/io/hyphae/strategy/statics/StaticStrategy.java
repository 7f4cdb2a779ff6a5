package io.hyphae.strategy.statics;

import io.hyphae.membership.discovery.HostResolver;
import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.PollLoop;
import io.hyphae.membership.discovery.SeedListener;
import io.hyphae.membership.discovery.SeedTracker;
import io.micrometer.core.instrument.Counter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a fixed seed list. Each poll resolves every host name again and reports one seed per
 * address ({@code ip:port}), so a name that gains or loses addresses in DNS is followed, and a
 * name with several addresses yields several seeds. IP literals are reported as written
 * (IPv6 in Java's long form).
 *
 * <p>A name that does not resolve is logged once per change of the set of failing names and
 * counted in {@code hyphae.discovery.failures}; it keeps contributing the addresses it last
 * resolved to (none if it never resolved), and the other seeds count as usual.
 *
 * <p>Polls run one at a time on the node's scheduler: each poll schedules the next, so the
 * tracker is never used by two threads at once.
 */
final class StaticStrategy implements DiscoveryStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(StaticStrategy.class);

    record Settings(List<HostAndPort> seeds, Duration pollInterval) {
        Settings {
            seeds = List.copyOf(seeds);
            Objects.requireNonNull(pollInterval, "pollInterval");
        }
    }

    private final Settings settings;
    private final DiscoveryContext context;
    private final HostResolver resolver;
    private final Counter failures;
    /** Last addresses each seed's host resolved to, kept while the name fails. */
    private final Map<String, List<InetAddress>> lastResolved = new HashMap<>();
    private Set<String> failingHosts = Set.of();
    private final PollLoop loop;
    private SeedTracker tracker;

    StaticStrategy(Settings settings, DiscoveryContext context, HostResolver resolver) {
        this.settings = settings;
        this.context = context;
        this.loop = new PollLoop(context.scheduler());
        this.resolver = resolver;
        // The same meter SeedTracker counts into: a name that fails is a failed look-up.
        this.failures = Counter.builder("hyphae.discovery.failures")
                .description("Discovery polls or watches that failed")
                .tag("strategy", StaticStrategyProvider.NAME)
                .tags(context.meterTags()).register(context.meters());
    }

    @Override
    public synchronized void start(SeedListener listener) {
        if (tracker != null) {
            throw new IllegalStateException("already started");
        }
        tracker = new SeedTracker(StaticStrategyProvider.NAME, listener, context, Backoff.DEFAULT);
        loop.start(this::poll);
    }

    private Duration poll() {
        try {
            tracker.succeeded(resolveAll());
        } catch (RuntimeException e) {
            // A bug must not end the polling: the seeds in force stay, and the next poll retries.
            LOG.error("static discovery poll failed unexpectedly", e);
        }
        return settings.pollInterval();
    }

    private Set<HostAndPort> resolveAll() {
        Set<String> failing = new TreeSet<>();
        Set<HostAndPort> seeds = new LinkedHashSet<>();
        for (HostAndPort seed : settings.seeds()) {
            List<InetAddress> addresses;
            try {
                addresses = List.of(resolver.resolve(seed.host()));
                lastResolved.put(seed.host(), addresses);
            } catch (UnknownHostException e) {
                failing.add(seed.host());
                addresses = lastResolved.getOrDefault(seed.host(), List.of());
            }
            for (InetAddress address : addresses) {
                seeds.add(new HostAndPort(address.getHostAddress(), seed.port()));
            }
        }
        seeds.removeAll(resolver.seedForms(context.self().address()));
        noteFailing(failing);
        return seeds;
    }


    private void noteFailing(Set<String> failing) {
        failures.increment(failing.size());
        if (failing.equals(failingHosts)) {
            return;
        }
        if (failing.isEmpty()) {
            LOG.info("static discovery: every seed resolves again");
        } else {
            LOG.warn("static discovery: seed host(s) {} do not resolve; keeping the addresses they last resolved to, "
                    + "and trying again every {}", failing, settings.pollInterval());
        }
        failingHosts = Set.copyOf(failing);
    }

    @Override
    public void close() {
        loop.close();
    }
}
