package io.hyphae.strategy.statics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.testkit.LocalCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Five real nodes on 127.0.0.2..6 (one port) whose only seed is a host name, resolved by the
 * JVM's own resolver from the hosts file this module's tests run with (see pom.xml): the cluster
 * forms through the name, follows the name when it gains an address, and keeps running when the
 * name stops resolving.
 */
class StaticClusterTest {

    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final String NAME = "nodes.hyphae.test";

    private final Path hosts = Path.of(System.getProperty("jdk.net.hosts.file"));
    private String originalHosts;
    private LocalCluster cluster;
    private int port;

    @BeforeEach
    void setUp() throws IOException {
        originalHosts = Files.readString(hosts);
        port = LocalCluster.freePort("127.0.0.2");
        cluster = new LocalCluster("static-cluster");
    }

    @AfterEach
    void tearDown() throws IOException {
        cluster.close();
        writeHosts(originalHosts);
    }

    @Test
    void fiveNodesSeededByOneNameFormAClusterFollowTheNameAndOutliveItsResolution() throws IOException {
        // Given a name standing for the first two of five nodes, polled every 200 ms
        resolveNameTo("127.0.0.2", "127.0.0.3");
        for (int i = 0; i < 5; i++) {
            cluster.start("s" + i, ip(i) + ":" + port, b -> b.discovery("static", d -> d
                    .set("seeds", List.of(NAME + ":" + port)).set("poll-interval", "200ms")));
        }

        // Then every directory lists all five (the time from the first start is logged)
        cluster.awaitComplete(LIMIT);
        assertThat(cluster.running()).allSatisfy(n -> assertThat(n.liveMembers()).hasSize(5));

        // When a sixth node, which knows no seed but itself, gets an address under the name
        HyphaeNode sixth = cluster.start("s5", ip(5) + ":" + port, b -> b.discovery("static", d -> d
                .set("seeds", List.of(ip(5) + ":" + port)).set("poll-interval", "200ms")));
        resolveNameTo("127.0.0.3", ip(5));

        // Then the others follow the name to it, and every directory lists all six
        cluster.awaitComplete(LIMIT);
        assertThat(cluster.running()).allSatisfy(n -> assertThat(n.liveMembers()).hasSize(6).contains(sixth.self()));

        // When the name stops resolving for several polls
        HyphaeNode first = cluster.running().get(0);
        double failures = failures(first);
        writeHosts(originalHosts);
        await().atMost(LIMIT).until(() -> failures(first) >= failures + 3);

        // Then the cluster keeps all its members, nobody is reported down, and it still broadcasts
        assertThat(cluster.running()).allSatisfy(n -> {
            assertThat(n.liveMembers()).hasSize(6);
            assertThat(cluster.events(n)).noneMatch(e -> e.startsWith("down"));
        });
        cluster.awaitBroadcastReachesEveryone(LIMIT);
    }

    @Test
    void discoveryMetersOfNodesSharingARegistryAreTaggedByNode() {
        // Given two nodes of one JVM whose meters go to one registry
        SimpleMeterRegistry shared = new SimpleMeterRegistry();
        try (LocalCluster together = new LocalCluster("static-shared-meters", shared)) {
            for (int i = 0; i < 2; i++) {
                together.start("m" + i, ip(i) + ":" + port, b -> b.discovery("static", d -> d
                        .set("seeds", List.of(ip(0) + ":" + port, ip(1) + ":" + port)).set("poll-interval", "200ms")));
            }

            // When they have formed a cluster
            together.awaitComplete(LIMIT);

            // Then each node's discovery meters are its own, told apart by the node tag as its other meters are
            assertThat(shared.find("hyphae.discovery.seeds").gauges())
                    .extracting(g -> g.getId().getTag("node")).containsExactlyInAnyOrder("m0", "m1");
            assertThat(shared.find("hyphae.discovery.failures").counters())
                    .extracting(c -> c.getId().getTag("node")).containsExactlyInAnyOrder("m0", "m1");
        }
    }

    private double failures(HyphaeNode node) {
        return cluster.registry(node).get("hyphae.discovery.failures").tag("strategy", "static").counter().count();
    }

    /** 127.0.0.2 for the first node, 127.0.0.3 for the second, ... */
    private static String ip(int index) {
        return "127.0.0." + (index + 2);
    }

    private void resolveNameTo(String... ips) throws IOException {
        writeHosts(originalHosts + String.join("", Stream.of(ips).map(ip -> ip + " " + NAME + "\n").toList()));
    }

    private void writeHosts(String content) throws IOException {
        Path tmp = hosts.resolveSibling("hosts.tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        // Atomic, so a poll never reads half a file.
        Files.move(tmp, hosts, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
