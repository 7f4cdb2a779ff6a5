package io.hyphae.membership.discovery;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping every strategy shares: publish the seed set only when it changes, keep the
 * last good set while the backend fails, log a failure once per change of state (not once per
 * poll), count failures in {@code hyphae.discovery.failures}, and say how long to wait before
 * the next try.
 *
 * <p>Not thread-safe: a strategy calls it from its one poll or watch thread.
 */
public final class SeedTracker {

    private static final Logger LOG = LoggerFactory.getLogger(SeedTracker.class);

    private final String strategy;
    private final SeedListener listener;
    private final Backoff backoff;
    private final Counter failures;
    private final AtomicInteger seedCount = new AtomicInteger();
    private Set<HostAndPort> lastGood;
    private String failingReason;
    private int consecutiveFailures;

    public SeedTracker(String strategy, SeedListener listener, DiscoveryContext context, Backoff backoff) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.failures = Counter.builder("hyphae.discovery.failures")
                .description("Discovery polls or watches that failed")
                .tag("strategy", strategy)
                .tags(context.meterTags())
                .register(context.meters());
        Gauge.builder("hyphae.discovery.seeds", seedCount, AtomicInteger::get)
                .description("Candidate peers the strategy currently reports")
                .tag("strategy", strategy)
                .tags(context.meterTags())
                .register(context.meters());
    }

    /** Reports a successful look-up; the listener hears of it only when the set changed. */
    public void succeeded(Set<HostAndPort> seeds) {
        Set<HostAndPort> copy = Set.copyOf(seeds);
        if (failingReason != null) {
            LOG.info("discovery '{}' recovered after {} failed attempt(s): {} seed(s)", strategy, consecutiveFailures, copy.size());
            failingReason = null;
        }
        consecutiveFailures = 0;
        if (!copy.equals(lastGood)) {
            LOG.debug("discovery '{}' seeds now {}", strategy, copy);
            lastGood = copy;
            seedCount.set(copy.size());
            listener.seedsChanged(copy);
        }
    }

    /**
     * Reports a failed look-up. The last good seeds stay in force. Returns how long to wait
     * before trying again.
     */
    public Duration failed(String reason, Throwable cause) {
        failures.increment();
        consecutiveFailures++;
        if (!reason.equals(failingReason)) {
            String keeping = lastGood == null ? "no seeds known yet" : "keeping " + lastGood.size() + " last known seed(s)";
            if (cause != null && LOG.isDebugEnabled()) {
                LOG.warn("discovery '{}' failing: {} ({}); will retry with backoff", strategy, reason, keeping, cause);
            } else {
                LOG.warn("discovery '{}' failing: {} ({}); will retry with backoff", strategy, reason, keeping);
            }
            failingReason = reason;
        }
        return backoff.delay(consecutiveFailures - 1, ThreadLocalRandom.current());
    }

    /** True while the last attempt failed. */
    public boolean failing() {
        return failingReason != null;
    }
}
