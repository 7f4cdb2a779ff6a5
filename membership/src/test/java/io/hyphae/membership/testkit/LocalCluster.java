package io.hyphae.membership.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.config.HyphaeConfigBuilder;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real {@link HyphaeNode}s in this JVM for the strategies' cluster tests: each node has its own
 * meter registry unless one is shared (so a strategy's meters can be read per node), failure detection is
 * tightened to seconds, and every membership event is recorded. The tests of each strategy
 * module choose the discovery block and the addresses; this class starts, watches and stops.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final String SECRET = "hyphae-cluster-test-secret-0123456789";

    private final String name;
    private final TransportResources resources = TransportResources.create(2);
    private final List<HyphaeNode> running = new CopyOnWriteArrayList<>();
    private final Map<NodeId, MeterRegistry> registries = new ConcurrentHashMap<>();
    private final Map<NodeId, Queue<String>> events = new ConcurrentHashMap<>();
    private long firstStartNanos;
    private int nextChannel = Channels.FIRST_APPLICATION_CHANNEL;

    private final Optional<MeterRegistry> sharedRegistry;

    /** @param name the cluster's name, which only nodes of this cluster accept in the handshake */
    public LocalCluster(String name) {
        this(name, Optional.empty());
    }

    /** As {@link #LocalCluster(String)}, every node's meters in {@code shared}, as many nodes of one JVM would be. */
    public LocalCluster(String name, MeterRegistry shared) {
        this(name, Optional.of(shared));
    }

    private LocalCluster(String name, Optional<MeterRegistry> sharedRegistry) {
        this.name = name;
        this.sharedRegistry = sharedRegistry;
    }

    /**
     * Starts a node bound to {@code bind} ({@code ip:port}) with the discovery blocks
     * {@code discovery} adds to the builder.
     */
    public HyphaeNode start(String nodeName, String bind, UnaryOperator<HyphaeConfigBuilder> discovery) {
        return start(nodeName, bind, discovery, UnaryOperator.identity());
    }

    /** As {@link #start(String, String, UnaryOperator)}, with {@code tuning} applied over this class's settings. */
    public HyphaeNode start(String nodeName, String bind, UnaryOperator<HyphaeConfigBuilder> discovery,
                            UnaryOperator<HyphaeConfigBuilder> tuning) {
        HyphaeConfig config = tuning.apply(discovery.apply(HyphaeConfig.builder())
                .cluster(c -> c.name(name).secret(SECRET))
                .node(n -> n.name(nodeName).bind(bind))
                .transport(t -> t.heartbeatInterval(Duration.ofMillis(200)).heartbeatTimeout(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofMillis(500)))
                .overlay(o -> o.shuffleInterval(Duration.ofSeconds(1)).neighborTimeout(Duration.ofMillis(500)))
                .directory(d -> d.suspicionTimeout(Duration.ofSeconds(2)).antiEntropyInterval(Duration.ofMillis(500))))
                .build();
        if (firstStartNanos == 0) {
            firstStartNanos = System.nanoTime();
        }
        MeterRegistry registry = sharedRegistry.orElseGet(SimpleMeterRegistry::new);
        HyphaeNode node = HyphaeNode.start(config, registry, resources);
        registries.put(node.self(), registry);
        Queue<String> log = new ConcurrentLinkedQueue<>();
        events.put(node.self(), log);
        node.addListener(new MembershipListener() {
            @Override
            public void memberUp(NodeId member) {
                log.add("up " + member);
            }

            @Override
            public void memberDown(NodeId member, DownReason reason) {
                log.add("down " + member + " " + reason);
            }
        });
        running.add(node);
        return node;
    }

    /** The nodes started and not stopped, in start order. */
    public List<HyphaeNode> running() {
        return List.copyOf(running);
    }

    /** Closes the node (it leaves gracefully) and forgets it. */
    public void stop(HyphaeNode node) {
        running.remove(node);
        node.close();
    }

    /** The node's own meters. */
    public MeterRegistry registry(HyphaeNode node) {
        return registries.get(node.self());
    }

    /** Membership events the node reported: {@code up <id>} and {@code down <id> <REASON>}. */
    public List<String> events(HyphaeNode node) {
        return List.copyOf(events.get(node.self()));
    }

    /**
     * Waits until every running node lists exactly the running nodes as live and has a
     * neighbour, and the active views are symmetric.
     *
     * @return milliseconds from the first node's start until then (logged too)
     */
    public long awaitComplete(Duration limit) {
        await("every running node lists exactly the running nodes as live").atMost(limit)
                .pollInterval(Duration.ofMillis(20)).until(this::complete);
        long millis = (System.nanoTime() - firstStartNanos) / 1_000_000;
        LOG.info("{}: {} nodes, complete directory on every node {} ms after the first node started",
                name, running.size(), millis);
        await("symmetric active views").atMost(limit).untilAsserted(this::activeViewsAreSymmetric);
        return millis;
    }

    private boolean complete() {
        Set<NodeId> everyone = running.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        return running.stream().allMatch(n -> n.liveMembers().equals(everyone) && n.joined());
    }

    private void activeViewsAreSymmetric() {
        Map<NodeId, Set<NodeId>> views = running.stream().collect(Collectors.toMap(HyphaeNode::self, HyphaeNode::activeView));
        views.forEach((node, view) -> {
            assertThat(view).as("active view of %s", node).isNotEmpty().isSubsetOf(views.keySet());
            view.forEach(peer -> assertThat(views.get(peer)).as("%s is in the active view of %s", peer, node).contains(node));
        });
    }

    /** Waits until every running node has reported {@code gone} down for {@code reason}. */
    public void awaitDown(NodeId gone, DownReason reason, Duration limit) {
        await(gone + " reported down (" + reason + ") everywhere").atMost(limit).until(() -> running.stream().allMatch(n ->
                !n.liveMembers().contains(gone) && events(n).contains("down " + gone + " " + reason)));
    }

    /**
     * Broadcasts once from the first running node, on a channel of its own, and waits until
     * every running node delivered it: the cluster still serves.
     */
    public void awaitBroadcastReachesEveryone(Duration limit) {
        int channel = nextChannel++;
        Set<NodeId> reached = ConcurrentHashMap.newKeySet();
        for (HyphaeNode n : running) {
            n.subscribe(channel, (origin, payload) -> reached.add(n.self()));
        }
        // Subscriptions are made on each node's event loop; a query there waits until they are.
        running.forEach(HyphaeNode::activeView);
        running.get(0).broadcast(channel, new byte[] {1});
        Set<NodeId> everyone = running.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        await("a broadcast reaches every running node").atMost(limit).until(() -> reached.equals(everyone));
    }

    /** A TCP port free on {@code ip} now (for nodes on several loopback addresses sharing one port). */
    public static int freePort(String ip) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        running.forEach(HyphaeNode::close);
        running.clear();
        resources.close();
    }
}
