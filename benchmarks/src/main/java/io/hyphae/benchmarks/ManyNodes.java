package io.hyphae.benchmarks;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.config.HyphaeConfigBuilder;
import io.hyphae.membership.directory.MemberStatus;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * S2 and S4: many real nodes (Netty on loopback, static discovery naming only the first node)
 * in one JVM, on one shared set of event loops.
 *
 * <p>S2 starts them ({@link #startAll}) and measures, from the first start, the time until
 * every directory lists every node, every active view is within bounds and symmetric, and the
 * overlay is one connected component; then the heap each node costs (used heap after GC, less
 * what was used before the first start, over the nodes) and the JVM's thread count.
 *
 * <p>S4 then broadcasts once on an application channel from a random node and measures the
 * share of nodes that delivered it, the time of the last delivery, and the Plumtree frames
 * (GOSSIP, IHAVE, GRAFT, PRUNE) every node sent for it, per delivery.
 */
final class ManyNodes {

    private static final String SECRET = "hyphae benchmark secret, not for production";
    private static final Duration CONVERGE_LIMIT = Duration.ofMinutes(5);
    private static final Duration DELIVERY_LIMIT = Duration.ofSeconds(30);
    /** After the last delivery, what IHAVEs and GRAFTs still go out for it (a few ihave-intervals). */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final int size;
    private final String[] options;
    private final TransportResources resources;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<HyphaeNode> nodes = new ArrayList<>();

    private ManyNodes(int size, int threads, String[] options) {
        this.size = size;
        this.options = options;
        this.resources = TransportResources.create(threads);
    }

    /**
     * {@code S2 [--nodes N] [--threads T] [--start-threads N] [--max-sync-entries N] [--anti-entropy-ms MS]
     * [--heartbeat-timeout-ms MS] [--suspicion-ms MS]}: the last four change the directory's
     * anti-entropy (512 entries every 2 s) and the failure detection (5 s + 5 s) from their
     * defaults, for experiments on a starved machine; with {@code broadcast}, S4 follows on the
     * converged cluster.
     */
    static void run(String[] args, boolean broadcast) {
        int size = TransportRoundTrip.intOption(args, "--nodes", 256);
        int threads = TransportRoundTrip.intOption(args, "--threads", 2);
        ManyNodes bench = new ManyNodes(size, threads, args);
        bench.converge();
        if (broadcast) {
            bench.broadcastOnce(new Random().nextInt(size));
        }
        // Closing a thousand nodes one by one (each leaves, then waits for its goodbyes) measures
        // nothing; the process ends here.
        System.exit(0);
    }

    private void converge() {
        long heapBefore = usedHeapAfterGc();
        int port = freePort();
        String seed = address(0, port);
        long start = System.nanoTime();
        startAll(seed, port);
        long started = System.nanoTime();
        long deadline = start + CONVERGE_LIMIT.toNanos();
        String why;
        long nextProgress = 0;
        while ((why = notConverged()) != null) {
            long now = System.nanoTime();
            if (now > deadline) {
                // Live nodes that some directory holds DOWN stay down for that incarnation (they
                // would have to restart), so a count above zero explains a cluster that never completes.
                long reportedDown = nodes.stream().flatMap(n -> n.members().stream())
                        .filter(m -> m.status() == MemberStatus.DOWN).map(m -> m.id()).distinct().count();
                System.out.printf(Locale.ROOT, "S2 nodes=%d converge_ms=none limit_ms=%d live_nodes_reported_down=%d "
                        + "threads=%d start_ms=%d why=\"%s\"%n", size, CONVERGE_LIMIT.toMillis(), reportedDown,
                        ManagementFactory.getThreadMXBean().getThreadCount(), (started - start) / 1_000_000, why);
                System.exit(1);
            }
            if (now > nextProgress) {
                // On standard error, so the figures on standard output stay one line per workload.
                System.err.printf(Locale.ROOT, "%d ms: %s [%s]%n", (now - start) / 1_000_000, why, churn());
                nextProgress = now + Duration.ofSeconds(2).toNanos();
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        long convergeMs = (System.nanoTime() - start) / 1_000_000;
        long heapPerNode = (usedHeapAfterGc() - heapBefore) / size;
        System.out.printf(Locale.ROOT, "S2 nodes=%d converge_ms=%d heap_per_node_kb=%d threads=%d start_ms=%d%n",
                size, convergeMs, heapPerNode / 1024, ManagementFactory.getThreadMXBean().getThreadCount(),
                (started - start) / 1_000_000);
    }

    /**
     * Starts the nodes, the first (the seed) alone, then the others {@code --start-threads} at a
     * time: 1 by default, one after the other, as the figures in docs/overlay.md were taken. Each
     * start blocks on the shared event loops (binding the listener, entering the loop), so on a
     * starved machine a thousand starts one by one take a minute or more. Starting them 16 at a
     * time takes seconds, but then hundreds JOIN through the one seed at once, and the seed's
     * evictions left a fifth of them without a neighbour for a minute (docs/overlay.md); real
     * clusters that start at once find many seeds through discovery. The starting threads end
     * before the figures are taken.
     */
    private void startAll(String seed, int port) {
        nodes.add(HyphaeNode.start(config(0, port, seed), registry, resources));
        int threads = TransportRoundTrip.intOption(options, "--start-threads", 1);
        ExecutorService starters = Executors.newFixedThreadPool(threads);
        try {
            List<Future<HyphaeNode>> started = new ArrayList<>();
            for (int i = 1; i < size; i++) {
                HyphaeConfig config = config(i, port, seed);
                started.add(starters.submit(() -> HyphaeNode.start(config, registry, resources)));
            }
            for (Future<HyphaeNode> f : started) {
                nodes.add(f.get());
            }
            starters.shutdown();
            if (!starters.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the starting threads did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the nodes", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a node did not start", e.getCause());
        } finally {
            starters.shutdownNow();
        }
    }

    private HyphaeConfig config(int index, int port, String seed) {
        return HyphaeConfig.builder()
                .cluster(c -> c.name("s2").secret(SECRET))
                .node(n -> n.name("s2-" + index).bind(address(index, port)))
                .discovery("static", d -> d.set("seeds", List.of(seed)))
                .directory(this::directoryOptions)
                .transport(this::transportOptions)
                .build();
    }

    /** Only what the command line sets; the rest stays at the defaults a user gets. */
    private void transportOptions(HyphaeConfigBuilder.Transport transport) {
        int millis = TransportRoundTrip.intOption(options, "--heartbeat-timeout-ms", -1);
        if (millis > 0) {
            transport.heartbeatTimeout(Duration.ofMillis(millis));
        }
    }

    private void directoryOptions(HyphaeConfigBuilder.Directory directory) {
        int suspicion = TransportRoundTrip.intOption(options, "--suspicion-ms", -1);
        if (suspicion > 0) {
            directory.suspicionTimeout(Duration.ofMillis(suspicion));
        }
        int entries = TransportRoundTrip.intOption(options, "--max-sync-entries", -1);
        if (entries > 0) {
            directory.maxSyncEntries(entries);
        }
        int millis = TransportRoundTrip.intOption(options, "--anti-entropy-ms", -1);
        if (millis > 0) {
            directory.antiEntropyInterval(Duration.ofMillis(millis));
        }
    }

    /** Why the cluster has not converged yet, or null once it has. */
    private String notConverged() {
        // liveMembers() is a snapshot: cheap enough to read for every node on every check.
        long incomplete = nodes.stream().filter(n -> n.liveMembers().size() != size).count();
        if (incomplete > 0) {
            HyphaeNode fewest = nodes.stream().min(java.util.Comparator.comparingInt(n -> n.liveMembers().size())).orElseThrow();
            return incomplete + " directories incomplete, " + nodes.stream().filter(n -> !n.joined()).count()
                    + " nodes without a neighbour (the smallest lists " + fewest.liveMembers().size() + ": "
                    + fewest.self() + ", joined " + fewest.joined() + ", active view " + fewest.activeView().size() + ")";
        }
        Map<NodeId, Set<NodeId>> views = new HashMap<>();
        for (HyphaeNode n : nodes) {
            views.put(n.self(), n.activeView());
        }
        int bound = nodes.get(0).config().overlay().activeViewSize();
        for (Map.Entry<NodeId, Set<NodeId>> e : views.entrySet()) {
            Set<NodeId> view = e.getValue();
            if (view.isEmpty() || view.size() > bound || view.contains(e.getKey())) {
                return e.getKey().name() + " has the active view " + view;
            }
            for (NodeId peer : view) {
                Set<NodeId> back = views.get(peer);
                if (back == null || !back.contains(e.getKey())) {
                    return e.getKey().name() + " has " + peer + " in its active view but not the reverse";
                }
            }
        }
        int reached = reachable(views);
        return reached == size ? null : "overlay reaches " + reached + " of " + size;
    }

    private int reachable(Map<NodeId, Set<NodeId>> views) {
        Set<NodeId> seen = new HashSet<>();
        ArrayDeque<NodeId> todo = new ArrayDeque<>();
        todo.add(nodes.get(0).self());
        seen.add(nodes.get(0).self());
        while (!todo.isEmpty()) {
            for (NodeId peer : views.get(todo.poll())) {
                if (seen.add(peer)) {
                    todo.add(peer);
                }
            }
        }
        return seen.size();
    }

    private void broadcastOnce(int from) {
        int channel = Channels.FIRST_APPLICATION_CHANNEL;
        AtomicInteger delivered = new AtomicInteger();
        AtomicLong lastDelivery = new AtomicLong();
        for (HyphaeNode n : nodes) {
            n.subscribe(channel, (origin, payload) -> {
                lastDelivery.accumulateAndGet(System.nanoTime(), Math::max);
                delivered.incrementAndGet();
            });
        }
        // Subscriptions are made on each node's event loop; a query there waits until they are.
        nodes.forEach(HyphaeNode::activeView);
        double framesBefore = plumtreeFramesSent();
        long sent = System.nanoTime();
        nodes.get(from).broadcast(channel, new byte[64]);
        long deadline = sent + DELIVERY_LIMIT.toNanos();
        while (delivered.get() < size && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        LockSupport.parkNanos(SETTLE.toNanos());
        double frames = plumtreeFramesSent() - framesBefore;
        int got = delivered.get();
        System.out.printf(Locale.ROOT, "S4 nodes=%d delivered_pct=%.1f last_delivery_ms=%.1f msgs_per_delivery=%.2f%n",
                size, 100.0 * got / size, (lastDelivery.get() - sent) / 1e6, got == 0 ? Double.NaN : frames / got);
    }

    /**
     * What the failure detection did so far, summed over the nodes: rejoins after a false DOWN,
     * suspicions raised, verdicts postponed for local health, the worst event-loop lag now,
     * heartbeat timeouts extended for it, members reported down by reason, links down by
     * reason, failed handshakes by reason.
     */
    private String churn() {
        StringBuilder sb = new StringBuilder("rejoins=").append((long) sum("hyphae.members.rejoins", null, null))
                .append(" suspicions=").append((long) sum("hyphae.members.suspicions", "result", "raised"))
                .append(" withheld=").append((long) sum("hyphae.members.suspicions", "result", "withheld"))
                .append(" verdicts_timeout=").append((long) sum("hyphae.members.verdicts", "cause", "suspicion_timeout"))
                .append(" verdicts_refused=").append((long) sum("hyphae.members.verdicts", "cause", "refused"))
                .append(" postponed=").append((long) sum("hyphae.members.verdicts.postponed", null, null))
                .append(" heartbeats_extended=").append((long) sum("hyphae.transport.lag.extensions", "timer", "heartbeat"))
                .append(" max_lag_ms=").append((long) registry.find("hyphae.loop.lag").gauges().stream()
                        .mapToDouble(g -> g.value()).max().orElse(0));
        for (String[] m : new String[][] {{"hyphae.members.events", "reason", "down_"},
                {"hyphae.transport.links.down", "reason", "link_down_"},
                {"hyphae.transport.handshakes", "reason", "handshake_"}}) {
            registry.find(m[0]).counters().stream().map(c -> c.getId().getTag(m[1])).distinct()
                    .filter(r -> r != null && !r.equals("none"))
                    .forEach(r -> sb.append(' ').append(m[2]).append(r).append('=').append((long) sum(m[0], m[1], r)));
        }
        return sb.toString();
    }

    private double sum(String name, String tag, String value) {
        var search = registry.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        // The node's own counters are FunctionCounters (read from the core), which counters() omits.
        return search.counters().stream().mapToDouble(Counter::count).sum()
                + search.functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    private double plumtreeFramesSent() {
        return registry.find("hyphae.transport.frames.out").tag("protocol", "PlumtreeMessage").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Node {@code i}'s address: its own loopback IP (127.2.x.y; Linux routes all of 127/8 to lo) and
     * one shared port. Ports picked in advance on one IP are raced by the nodes' own outgoing
     * connections, which take ephemeral ports from 127.0.0.1; another IP is never theirs.
     */
    private static String address(int index, int port) {
        int n = index + 1;
        return "127.2." + (n >> 8) + "." + (n & 0xff) + ":" + port;
    }

    /** A port free on every address now (so no wildcard listener holds it). */
    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port", e);
        }
    }
}
