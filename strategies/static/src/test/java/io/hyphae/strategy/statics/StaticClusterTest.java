package io.hyphae.strategy.statics;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Five real nodes on 127.0.0.1 that find each other through {@code strategy: static} alone. */
class StaticClusterTest {

    private static final Logger log = LoggerFactory.getLogger(StaticClusterTest.class);
    private static final int SIZE = 5;

    private final TransportResources loops = TransportResources.create(2);
    private final List<HyphaeNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(HyphaeNode::close);
        loops.close();
    }

    @Test
    void fiveNodesSharingOneSeedListFormOneCluster() throws IOException {
        // Given five nodes whose config files differ only in the port, all naming the same seeds
        // (localhost by name, so the strategy resolves it)
        List<Integer> ports = freePorts(SIZE);
        List<String> seeds = ports.stream().map(p -> "localhost:" + p).toList();

        // When they start one after the other
        long start = System.nanoTime();
        for (int i = 0; i < SIZE; i++) {
            int port = ports.get(i);
            HyphaeConfig config = HyphaeConfig.builder()
                    .cluster(c -> c.name("static-test").secret("static-cluster-test-secret-0123"))
                    .node(n -> n.name("s" + port).bind("127.0.0.1:" + port))
                    .discovery("static", d -> d.set("seeds", seeds).set("poll-interval", "1s"))
                    .build();
            nodes.add(HyphaeNode.start(config, new SimpleMeterRegistry(), loops));
        }

        // Then every directory lists all five as live
        Set<NodeId> everyone = nodes.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.liveMembers().equals(everyone)));
        log.info("static: complete 5-node directory on every node {} ms after the first start",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(nodes).allMatch(HyphaeNode::joined);
    }

    private static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
