package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Five real nodes on 127.0.0.1 that find each other only by gossiping on a multicast group. */
class GossipClusterTest {

    private static final Logger log = LoggerFactory.getLogger(GossipClusterTest.class);
    private static final int SIZE = 5;

    private final TransportResources loops = TransportResources.create(2);
    private final List<HyphaeNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(HyphaeNode::close);
        loops.close();
    }

    @Test
    void fiveGossipingNodesFormOneCluster() {
        // Given five nodes gossiping on the same (free) UDP port, each listening on a free TCP port
        int gossipPort = Ports.freeUdpPort();

        // When they start
        long start = System.nanoTime();
        for (int i = 0; i < SIZE; i++) {
            int index = i;
            HyphaeConfig config = HyphaeConfig.builder()
                    .cluster(c -> c.name("gossip-test").secret("gossip-cluster-test-secret-0123"))
                    .node(n -> n.name("g" + index).bind("127.0.0.1:0"))
                    .discovery("gossip", d -> d.set("port", gossipPort).set("interval", "100ms").set("expiry", "1s"))
                    .build();
            nodes.add(HyphaeNode.start(config, new SimpleMeterRegistry(), loops));
        }

        // Then every directory lists all five as live
        Set<NodeId> everyone = nodes.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.liveMembers().equals(everyone)));
        log.info("gossip: complete 5-node directory on every node {} ms after the first start",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(nodes).allMatch(HyphaeNode::joined);
    }
}
