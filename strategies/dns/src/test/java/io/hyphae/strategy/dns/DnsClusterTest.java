package io.hyphae.strategy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Five real nodes, each on its own loopback address (127.0.0.1 to .5) and the same port, that
 * find each other only through a name in a real DNS server (dnsmasq), as pods behind a headless
 * Service do.
 */
class DnsClusterTest {

    private static final Logger log = LoggerFactory.getLogger(DnsClusterTest.class);
    private static final int SIZE = 5;
    private static final String NODES = "cluster." + Dnsmasq.DOMAIN;

    @TempDir
    Path dir;

    private final TransportResources loops = TransportResources.create(2);
    private final List<HyphaeNode> nodes = new ArrayList<>();
    private Dnsmasq dns;

    @AfterEach
    void close() {
        nodes.forEach(HyphaeNode::close);
        loops.close();
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void fiveNodesFindEachOtherOnceTheirNameAppearsInDns() throws IOException {
        // Given five nodes started while DNS does not know their name yet: each is alone
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts("127.0.0.99 other." + Dnsmasq.DOMAIN);
        dns.start();
        int port = freePort();
        for (int i = 1; i <= SIZE; i++) {
            String ip = "127.0.0." + i;
            HyphaeConfig config = HyphaeConfig.builder()
                    .cluster(c -> c.name("dns-test").secret("dns-cluster-test-secret-0123456"))
                    .node(n -> n.name("d-" + ip).bind(ip + ":" + port))
                    .discovery("dns", d -> d.set("name", NODES).set("port", port).set("resolver", dns.address())
                            .set("poll-interval", "500ms").set("timeout", "1s"))
                    .build();
            nodes.add(HyphaeNode.start(config, new SimpleMeterRegistry(), loops));
        }
        assertThat(nodes).allMatch(n -> !n.joined() && n.liveMembers().equals(Set.of(n.self())));

        // When the name gets one A record per node
        long start = System.nanoTime();
        List<String> records = new ArrayList<>();
        for (int i = 1; i <= SIZE; i++) {
            records.add("127.0.0." + i + " " + NODES);
        }
        dns.hosts(records.toArray(String[]::new));

        // Then every directory lists all five as live
        Set<NodeId> everyone = nodes.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.liveMembers().equals(everyone)));
        log.info("dns: complete 5-node directory on every node {} ms after the records appeared (poll interval 500 ms)",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(nodes).allMatch(HyphaeNode::joined);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
