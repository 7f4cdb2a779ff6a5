package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.testkit.LocalCluster;
import io.hyphae.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Five real nodes on 127.0.0.1 discovering each other by authenticated UDP multicast heartbeats:
 * the cluster forms, a stopped node is reported down, and a formed cluster keeps running when
 * every gossip packet is dropped.
 */
class GossipClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(GossipClusterTest.class);
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private LocalCluster cluster;
    private int gossipPort;
    private String veth;

    @BeforeEach
    void setUp() {
        cluster = new LocalCluster("gossip-cluster");
        gossipPort = FreePorts.udp();
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
        if (veth != null) {
            ip("link", "del", veth);
        }
    }

    @Test
    void fiveGossipingNodesFormAClusterAndAStoppedOneIsReportedDown() {
        // Given five nodes gossiping on loopback (the interface of their advertised 127.0.0.1)
        startFive(Map.of());

        // Then every directory lists all five (the time from the first start is logged)
        cluster.awaitComplete(LIMIT);

        // When one of them stops gossiping and leaves
        HyphaeNode stopped = cluster.running().get(2);
        cluster.stop(stopped);

        // Then the others report it down, keep each other, and no longer have it as a seed
        cluster.awaitDown(stopped.self(), DownReason.LEFT, LIMIT);
        cluster.awaitComplete(LIMIT);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(cluster.running()).allSatisfy(n ->
                assertThat(seeds(n)).isEqualTo(3)));
    }

    @Test
    void aFormedClusterKeepsItsMembersWhileEveryGossipPacketIsDropped() throws Exception {
        // Given five nodes gossiping on one end of a veth pair this test creates
        veth = "hyg" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        Assumptions.assumeTrue(ip("link", "add", veth, "type", "veth", "peer", "name", veth + "p") == 0,
                "cannot create a veth pair (needs root and iproute2)");
        // (a link-local address, never routed: it only lets the socket use IPv4 there; the other end,
        // in this namespace too, has none, so nothing leaves the machine)
        assertThat(ip("addr", "add", "169.254.77.1/32", "dev", veth)).isZero();
        assertThat(ip("link", "set", veth, "up")).isZero();
        assertThat(ip("link", "set", veth + "p", "up")).isZero();
        startFive(Map.of("interface", veth));
        cluster.awaitComplete(LIMIT);
        await().atMost(LIMIT).untilAsserted(() -> assertThat(cluster.running()).allSatisfy(n ->
                assertThat(seeds(n)).isEqualTo(4)));

        // When the interface goes down, so every heartbeat is lost, until every peer has expired
        assertThat(ip("link", "set", veth, "down")).isZero();
        await().atMost(LIMIT).untilAsserted(() -> assertThat(cluster.running()).allSatisfy(n ->
                assertThat(seeds(n)).isZero()));

        // Then the cluster keeps all five, reports nobody down, and still broadcasts
        assertThat(cluster.running()).allSatisfy(n -> {
            assertThat(n.liveMembers()).hasSize(5);
            assertThat(cluster.events(n)).noneMatch(e -> e.startsWith("down"));
        });
        cluster.awaitBroadcastReachesEveryone(LIMIT);
    }

    private void startFive(Map<String, Object> extra) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ports.add(LocalCluster.freePort("127.0.0.1"));
        }
        for (int i = 0; i < 5; i++) {
            cluster.start("g" + i, "127.0.0.1:" + ports.get(i), b -> b.discovery("gossip", d -> {
                d.set("port", gossipPort).set("interval", "100ms").set("expiry", "500ms");
                extra.forEach(d::set);
            }));
        }
    }

    private double seeds(HyphaeNode node) {
        return cluster.registry(node).get("hyphae.discovery.seeds").tag("strategy", "gossip").gauge().value();
    }

    private static int ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            LOG.info("ip {} failed: {}", args, out.trim());
        }
        return p.exitValue();
    }
}
