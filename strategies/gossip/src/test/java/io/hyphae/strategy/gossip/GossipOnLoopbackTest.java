package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.testkit.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real UDP on this machine's loopback: nodes in one JVM gossiping to 239.255.77.77 on {@code lo}
 * (chosen because they advertise 127.0.0.1), or broadcasting to 127.255.255.255. Each test uses
 * its own free port. Nothing leaves loopback.
 */
class GossipOnLoopbackTest {

    private static final Logger LOG = LoggerFactory.getLogger(GossipOnLoopbackTest.class);
    private static final String GROUP = GossipSettings.DEFAULT_GROUP;
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private static ScheduledExecutorService scheduler;
    private final List<GossipTestNode> nodes = new ArrayList<>();
    private int port;

    @BeforeAll
    static void startScheduler() {
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterAll
    static void stopScheduler() {
        scheduler.shutdownNow();
    }

    @BeforeEach
    void pickPort() {
        port = FreePorts.udp();
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(GossipTestNode::close);
    }

    private Map<String, Object> fast() {
        return Map.of("port", port, "interval", "100ms", "expiry", "500ms");
    }

    private GossipTestNode node(String name, int transportPort, Map<String, ?> config) {
        GossipTestNode n = GossipTestNode.onLoopback(name, transportPort, config, scheduler);
        nodes.add(n);
        return n;
    }

    private static Set<HostAndPort> othersOf(List<GossipTestNode> all, GossipTestNode self) {
        return all.stream().filter(n -> n != self).map(n -> n.id.address()).collect(Collectors.toSet());
    }

    @Test
    void fiveNodesOnLoopbackFindEachOther() {
        // Given five nodes advertising 127.0.0.1:7101..7105, with no interface configured
        List<GossipTestNode> five = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            five.add(node("node-" + i, 7100 + i, fast()));
        }

        // When they all start
        long started = System.nanoTime();
        five.forEach(GossipTestNode::start);

        // Then each one's seeds are exactly the other four, never itself
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(5)).untilAsserted(() -> {
            for (GossipTestNode n : five) {
                assertThat(n.seeds()).isEqualTo(othersOf(five, n));
            }
        });
        LOG.info("5 gossip nodes on loopback saw each other {} ms after start", (System.nanoTime() - started) / 1_000_000);
        assertThat(five.get(0).rejected("own")).as("own packets looped back and dropped").isPositive();
        assertThat(five.get(0).rejected("bad-mac")).isZero();
    }

    @Test
    void stoppedNodeDisappearsFromTheOthersSeedsAtOnceBecauseItSaysGoodbye() {
        // Given three nodes that know each other, with an expiry far beyond the deadline below
        Map<String, Object> slowExpiry = Map.of("port", port, "interval", "100ms", "expiry", "1m");
        GossipTestNode a = node("a", 7201, slowExpiry).start();
        GossipTestNode b = node("b", 7202, slowExpiry).start();
        GossipTestNode c = node("c", 7203, slowExpiry).start();
        await().atMost(DEADLINE).until(() -> a.seeds().size() == 2 && b.seeds().size() == 2);

        // When c stops
        c.close();

        // Then the others drop it well before it could have expired, and keep each other
        awaitEachOtherOnly(a, b);
    }

    @Test
    void peerThatFallsSilentExpires() throws IOException {
        // Given a node, and a peer that sent one authentic heartbeat and then crashed (no goodbye)
        GossipTestNode a = node("a", 7301, fast()).start();
        NodeId ghost = LoopbackSender.fakePeer("ghost", 7399);
        try (LoopbackSender sender = new LoopbackSender(GROUP, port)) {
            await().atMost(DEADLINE).until(() -> a.seeds.get() != null);
            sender.send(LoopbackSender.heartbeat(GossipTestNode.CLUSTER, ghost, System.currentTimeMillis(), Optional.of(GossipTestNode.SECRET)));

            // When it stays silent
            await().atMost(DEADLINE).until(() -> a.history.contains(Set.of(ghost.address())));

            // Then it is dropped once the expiry has passed
            await().atMost(DEADLINE).until(() -> a.seeds().isEmpty());
            assertThat(a.history).endsWith(Set.of(ghost.address()), Set.of());
        }
    }

    @Test
    void forgedPacketIsDroppedAndCounted() throws IOException {
        // Given a running node
        GossipTestNode a = node("a", 7401, fast()).start();
        await().atMost(DEADLINE).until(() -> a.seeds.get() != null);

        // When someone without the secret sends a heartbeat signed with another one
        try (LoopbackSender sender = new LoopbackSender(GROUP, port)) {
            NodeId intruder = LoopbackSender.fakePeer("intruder", 7499);
            sender.send(LoopbackSender.heartbeat(GossipTestNode.CLUSTER, intruder, System.currentTimeMillis(),
                    Optional.of(ClusterSecret.of("not-the-cluster-secret-at-all"))));
            // and one with no MAC at all, as an insecure-mode node would
            sender.send(LoopbackSender.heartbeat(GossipTestNode.CLUSTER, intruder, System.currentTimeMillis(), Optional.empty()));

            // Then both are counted as bad MACs and the intruder never becomes a seed
            await().atMost(DEADLINE).until(() -> a.rejected("bad-mac") == 2);
            assertThat(a.seeds()).isEmpty();
        }
    }

    @Test
    void replayedPacketIsDroppedAndCounted() throws IOException {
        // Given a node that accepted one authentic heartbeat
        GossipTestNode a = node("a", 7501, fast()).start();
        await().atMost(DEADLINE).until(() -> a.seeds.get() != null);
        NodeId peer = LoopbackSender.fakePeer("peer", 7599);
        byte[] recorded = LoopbackSender.heartbeat(GossipTestNode.CLUSTER, peer, System.currentTimeMillis(), Optional.of(GossipTestNode.SECRET));
        try (LoopbackSender sender = new LoopbackSender(GROUP, port)) {
            sender.send(recorded);
            await().atMost(DEADLINE).until(() -> a.accepted() == 1);

            // When the very same bytes are sent again, twice
            sender.send(recorded);
            sender.send(recorded);

            // Then both copies are counted as replays, and only the original was accepted
            await().atMost(DEADLINE).until(() -> a.rejected("replayed") == 2);
            assertThat(a.accepted()).isEqualTo(1);
        }
    }

    @Test
    void staleTimestampIsDropped() throws IOException {
        // Given a node allowing 2s of clock skew
        GossipTestNode a = node("a", 7601, Map.of("port", port, "interval", "100ms", "expiry", "500ms", "max-clock-skew", "2s")).start();
        await().atMost(DEADLINE).until(() -> a.seeds.get() != null);

        // When authentic heartbeats arrive stamped a minute in the past and a minute in the future
        try (LoopbackSender sender = new LoopbackSender(GROUP, port)) {
            NodeId peer = LoopbackSender.fakePeer("old", 7699);
            long now = System.currentTimeMillis();
            sender.send(LoopbackSender.heartbeat(GossipTestNode.CLUSTER, peer, now - 60_000, Optional.of(GossipTestNode.SECRET)));
            sender.send(LoopbackSender.heartbeat(GossipTestNode.CLUSTER, peer, now + 60_000, Optional.of(GossipTestNode.SECRET)));

            // Then both are dropped as stale
            await().atMost(DEADLINE).until(() -> a.rejected("stale") == 2);
            assertThat(a.seeds()).isEmpty();
        }
    }

    @Test
    void otherClustersPacketsAreDropped() {
        // Given nodes of two clusters sharing the group and the port
        GossipTestNode mine = node("mine", 7701, fast()).start();
        NodeId otherId = new NodeId("theirs", new HostAndPort("127.0.0.1", 7702), 1);
        GossipTestNode theirs = new GossipTestNode(otherId, "another-cluster", Optional.of(GossipTestNode.SECRET), fast(), scheduler);
        nodes.add(theirs);

        // When both gossip
        theirs.start();

        // Then each drops the other's heartbeats as another cluster's, and neither seeds the other
        await().atMost(DEADLINE).until(() -> mine.rejected("wrong-cluster") >= 2 && theirs.rejected("wrong-cluster") >= 2);
        assertThat(mine.seeds()).isEmpty();
        assertThat(theirs.seeds()).isEmpty();
    }

    @Test
    void garbageIsDroppedAndTheNodeKeepsServing() throws IOException {
        // Given two nodes that know each other
        GossipTestNode a = node("a", 7801, fast()).start();
        GossipTestNode b = node("b", 7802, fast()).start();
        await().atMost(DEADLINE).until(() -> a.seeds().size() == 1);

        // When garbage arrives: empty, random, truncated, oversized, right magic but wrong version
        try (LoopbackSender sender = new LoopbackSender(GROUP, port)) {
            byte[] good = LoopbackSender.heartbeat(GossipTestNode.CLUSTER, LoopbackSender.fakePeer("x", 7899),
                    System.currentTimeMillis(), Optional.of(GossipTestNode.SECRET));
            byte[] wrongVersion = good.clone();
            wrongVersion[4] = 99;
            byte[] random = new byte[300];
            new java.util.Random(42).nextBytes(random);
            List<byte[]> garbage = List.of(new byte[0], random, java.util.Arrays.copyOf(good, good.length - 1),
                    new byte[GossipPacketCodec.MAX_PACKET_BYTES + 500], wrongVersion);
            for (byte[] g : garbage) {
                sender.send(g);
            }

            // Then each is counted as malformed
            await().atMost(DEADLINE).until(() -> a.rejected("malformed") == garbage.size());
        }

        // and the node still hears its peer and still notices a new one
        GossipTestNode c = node("c", 7803, fast()).start();
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(a.seeds()).containsExactlyInAnyOrder(b.id.address(), c.id.address()));
    }

    @Test
    void nodesWithoutASecretFindEachOtherInInsecureMode() {
        // Given two nodes of a development cluster with no secret
        GossipTestNode a = new GossipTestNode(LoopbackSender.fakePeer("a", 7951), GossipTestNode.CLUSTER, Optional.empty(), fast(), scheduler);
        GossipTestNode b = new GossipTestNode(LoopbackSender.fakePeer("b", 7952), GossipTestNode.CLUSTER, Optional.empty(), fast(), scheduler);
        nodes.add(a);
        nodes.add(b);

        // When they start
        a.start();
        b.start();

        // Then they accept each other's unsigned heartbeats
        awaitEachOtherOnly(a, b);
    }

    @Test
    void explicitLoopbackInterfaceWorks() {
        // Given two nodes told to gossip on lo, by name and by address
        GossipTestNode a = node("a", 7901, Map.of("port", port, "interval", "100ms", "expiry", "500ms", "interface", "lo"));
        GossipTestNode b = node("b", 7902, Map.of("port", port, "interval", "100ms", "expiry", "500ms", "interface", "127.0.0.1"));

        // When they start
        a.start();
        b.start();

        // Then they find each other
        awaitEachOtherOnly(a, b);
    }

    @Test
    void broadcastModeOnLoopbackFindsEachOther() {
        // Given three nodes broadcasting to loopback's broadcast address
        Map<String, Object> broadcast = Map.of("mode", "broadcast", "broadcast-address", "127.255.255.255",
                "port", port, "interval", "100ms", "expiry", "500ms");
        List<GossipTestNode> three = List.of(node("a", 8001, broadcast), node("b", 8002, broadcast), node("c", 8003, broadcast));

        // When they start
        three.forEach(GossipTestNode::start);

        // Then each one's seeds are the other two
        await().atMost(DEADLINE).untilAsserted(() -> {
            for (GossipTestNode n : three) {
                assertThat(n.seeds()).isEqualTo(othersOf(three, n));
            }
        });
    }

    @Test
    void retriesWhileThePortIsTakenAndGossipsOnceItIsFree() throws IOException {
        // Given another program holding the group's port without SO_REUSEADDR
        DatagramChannel squatter = DatagramChannel.open(StandardProtocolFamily.INET);
        squatter.bind(new InetSocketAddress(InetAddress.getByName(GROUP), port));
        GossipTestNode a = node("a", 8101, fast());
        try {
            // When a node starts, it cannot open its socket: the failure is counted, not fatal
            a.start();
            await().atMost(DEADLINE).until(() -> a.meters.find("hyphae.discovery.failures").tag("strategy", "gossip").counters().stream().mapToDouble(c -> c.count()).sum() >= 1);
        } finally {
            // and when the port is released
            squatter.close();
        }

        // Then it retries with backoff, and finds a peer
        GossipTestNode b = node("b", 8102, fast()).start();
        awaitEachOtherOnly(a, b);
    }

    /** Waits until {@code a} and {@code b} each have the other, and only the other, as their seeds. */
    private static void awaitEachOtherOnly(GossipTestNode a, GossipTestNode b) {
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(a.seeds()).containsExactly(b.id.address());
            assertThat(b.seeds()).containsExactly(a.id.address());
        });
    }
}
