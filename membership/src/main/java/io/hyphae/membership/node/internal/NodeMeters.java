package io.hyphae.membership.node.internal;

import io.hyphae.membership.directory.MemberStatus;
import io.hyphae.membership.node.NodeCore;
import io.hyphae.membership.plumtree.PlumtreeStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One node's overlay, broadcast and directory meters, every one tagged {@code node=<name>} (and
 * the config's common tags) so many nodes can share a registry. The core is single-threaded, so
 * the meters read a snapshot the event loop refreshes: view sizes after every event, directory
 * counts and Plumtree counters at most once per {@link #SAMPLE_EVERY} (they are kept by the
 * cores, so a sample is cheap; copying them for every event is not). Removed from the registry when the node closes.
 *
 * <ul>
 *   <li>{@code hyphae.overlay.active}, {@code hyphae.overlay.passive}: view sizes (gauges)</li>
 *   <li>{@code hyphae.overlay.joins}: JOINs sent through a discovery seed</li>
 *   <li>{@code hyphae.overlay.seed.failures}: seeds that could not be dialled</li>
 *   <li>{@code hyphae.members{status}}: directory entries by status (gauges)</li>
 *   <li>{@code hyphae.members.events{event=up|down, reason}}: listener events</li>
 *   <li>{@code hyphae.members.rejoins}: false DOWNs of this node healed by rejoining</li>
 *   <li>{@code hyphae.members.suspicions{result=raised|withheld}}: suspicions this node raised
 *       (a link broke under a member believed live), or withheld because it lagged itself</li>
 *   <li>{@code hyphae.members.verdicts{cause=suspicion_timeout|refused}}: members this node
 *       declared DOWN itself</li>
 *   <li>{@code hyphae.members.verdicts.postponed}: suspicion timeouts that did not judge, this
 *       node having lagged or been cut off meanwhile (local health)</li>
 *   <li>{@code hyphae.loop.lag}: the most the node's timers fired late in the last sample
 *       period, in milliseconds (gauge)</li>
 *   <li>{@code hyphae.broadcast.delivered}, {@code .duplicates}, {@code .gossips.sent},
 *       {@code .grafts.sent}, {@code .prunes.sent}, {@code .ihaves.sent}: Plumtree counters; the
 *       redundancy is duplicates / delivered</li>
 *   <li>{@code hyphae.broadcast.malformed}: directory broadcasts that did not decode</li>
 * </ul>
 */
final class NodeMeters {

    static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);

    private final MeterRegistry registry;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<MemberStatus, Integer> byStatus = new EnumMap<>(MemberStatus.class);
    private volatile int active;
    private volatile int passive;
    private volatile Map<MemberStatus, Integer> statusSnapshot = Map.of();
    private volatile PlumtreeStats stats = new PlumtreeStats(0, 0, 0, 0, 0, 0, 0, 0);
    private volatile long malformed;
    private volatile long suspicions;
    private volatile long withheld;
    private volatile long byTimeout;
    private volatile long byRefusal;
    private volatile long postponed;
    private volatile long lagMillis;
    /** The most a timer fired late since the last sample; event loop only. */
    private long lagMaxMillis;
    private long lastSampleMillis = Long.MIN_VALUE;
    private final Counter joins;
    private final Counter seedFailures;
    private final Counter rejoins;
    /** Up, and down per reason: a handful of counters, made on first use. */
    private final Map<String, Counter> events = new java.util.HashMap<>();

    NodeMeters(MeterRegistry registry, String nodeName, Map<String, String> commonTags) {
        this.registry = registry;
        Tags t = Tags.of("node", nodeName);
        for (Map.Entry<String, String> e : commonTags.entrySet()) {
            t = t.and(Tag.of(e.getKey(), e.getValue()));
        }
        this.tags = t;
        gauge("hyphae.overlay.active", "Peers in the HyParView active view", m -> m.active);
        gauge("hyphae.overlay.passive", "Peers in the HyParView passive view", m -> m.passive);
        for (MemberStatus s : MemberStatus.values()) {
            meters.add(Gauge.builder("hyphae.members", this, m -> m.statusSnapshot.getOrDefault(s, 0))
                    .description("Directory entries by status").tags(tags).tag("status", s.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        counter("hyphae.broadcast.delivered", "Broadcasts delivered on this node", m -> m.stats.delivered());
        counter("hyphae.broadcast.duplicates", "Broadcast payloads received again (Plumtree redundancy)",
                m -> m.stats.duplicatesReceived());
        counter("hyphae.broadcast.gossips.sent", "Broadcast payloads sent", m -> m.stats.gossipsSent());
        counter("hyphae.broadcast.grafts.sent", "GRAFTs sent to repair the tree", m -> m.stats.graftsSent());
        counter("hyphae.broadcast.prunes.sent", "PRUNEs sent after a duplicate", m -> m.stats.prunesSent());
        counter("hyphae.broadcast.ihaves.sent", "IHAVE messages sent", m -> m.stats.ihavesSent());
        counter("hyphae.broadcast.malformed", "Directory broadcasts that did not decode", m -> m.malformed);
        meters.add(FunctionCounter.builder("hyphae.members.suspicions", this, m -> m.suspicions)
                .description("Suspicions this node raised").tags(tags).tag("result", "raised").register(registry));
        meters.add(FunctionCounter.builder("hyphae.members.suspicions", this, m -> m.withheld)
                .description("Suspicions this node withheld, having lagged itself").tags(tags).tag("result", "withheld")
                .register(registry));
        meters.add(FunctionCounter.builder("hyphae.members.verdicts", this, m -> m.byTimeout)
                .description("Members this node declared DOWN itself").tags(tags).tag("cause", "suspicion_timeout")
                .register(registry));
        meters.add(FunctionCounter.builder("hyphae.members.verdicts", this, m -> m.byRefusal)
                .description("Members this node declared DOWN itself").tags(tags).tag("cause", "refused")
                .register(registry));
        counter("hyphae.members.verdicts.postponed",
                "Suspicion timeouts that did not judge, this node having lagged or been cut off", m -> m.postponed);
        gauge("hyphae.loop.lag", "Most the node's timers fired late in the last second, in ms", m -> m.lagMillis);
        joins = Counter.builder("hyphae.overlay.joins").description("JOINs sent through a discovery seed")
                .tags(tags).register(registry);
        meters.add(joins);
        seedFailures = Counter.builder("hyphae.overlay.seed.failures")
                .description("Seeds that could not be dialled to join through (unreachable, refused, or this node)")
                .tags(tags).register(registry);
        meters.add(seedFailures);
        rejoins = Counter.builder("hyphae.members.rejoins")
                .description("Times this node, declared DOWN while it ran, rejoined as its next incarnation")
                .tags(tags).register(registry);
        meters.add(rejoins);
    }

    private void gauge(String name, String description, ToDoubleFunction<NodeMeters> f) {
        meters.add(Gauge.builder(name, this, f).description(description).tags(tags).register(registry));
    }

    private void counter(String name, String description, ToDoubleFunction<NodeMeters> f) {
        meters.add(FunctionCounter.builder(name, this, f).description(description).tags(tags).register(registry));
    }

    /** After every event, on the event loop. */
    void afterEvent(NodeCore core) {
        active = core.overlay().activeSize();
        passive = core.overlay().passiveSize();
        long now = NodeDriver.now();
        if (lastSampleMillis == Long.MIN_VALUE || now - lastSampleMillis >= SAMPLE_EVERY.toMillis()) {
            lastSampleMillis = now;
            sample(core);
        }
    }

    private void sample(NodeCore core) {
        byStatus.clear();
        core.directory().ifPresent(d -> {
            for (MemberStatus s : MemberStatus.values()) {
                byStatus.put(s, d.count(s));
            }
        });
        statusSnapshot = Map.copyOf(byStatus);
        stats = core.plumtree().stats();
        malformed = core.malformedBroadcasts();
        core.directory().ifPresent(d -> {
            suspicions = d.suspicionsRaised();
            withheld = d.suspicionsWithheld();
            byTimeout = d.verdictsByTimeout();
            byRefusal = d.verdictsByRefusal();
            postponed = d.verdictsPostponed();
        });
        lagMillis = lagMaxMillis;
        lagMaxMillis = 0;
    }

    /** A timer fired {@code lateMillis} after it was due (event loop). */
    void loopLag(long lateMillis) {
        lagMaxMillis = Math.max(lagMaxMillis, lateMillis);
    }

    void joinAttempt() {
        joins.increment();
    }

    void seedFailure() {
        seedFailures.increment();
    }

    void rejoined() {
        rejoins.increment();
    }

    void memberEvent(String event, String reason) {
        events.computeIfAbsent(event + "/" + reason, k -> {
            Counter c = Counter.builder("hyphae.members.events").description("Members reported up or down")
                    .tags(tags).tag("event", event).tag("reason", reason).register(registry);
            meters.add(c);
            return c;
        }).increment();
    }

    void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
