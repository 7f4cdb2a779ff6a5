package io.hyphae.strategy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Five real nodes, each on its own loopback address (127.0.0.1 to .5) standing in for a pod IP,
 * that find each other only through the pods Fabric8's mock API server lists and watches.
 */
class KubernetesClusterTest {

    private static final Logger log = LoggerFactory.getLogger(KubernetesClusterTest.class);
    private static final int SIZE = 5;

    @TempDir
    Path dir;

    private final MockApiServer api = new MockApiServer();
    private final TransportResources loops = TransportResources.create(2);
    private final List<HyphaeNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(HyphaeNode::close);
        loops.close();
        api.close();
    }

    @Test
    void fiveNodesFindEachOtherThroughTheirReadyPods() throws Exception {
        // Given five ready pods labelled app=hyphae, one per node
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        for (int i = 1; i <= SIZE; i++) {
            api.createPod("hyphae-" + i, "127.0.0." + i, true, Map.of("app", "hyphae"));
        }
        Path kubeconfig = api.kubeconfig(dir, true);

        // When the five nodes start, each discovering pods by the selector
        long start = System.nanoTime();
        for (int i = 1; i <= SIZE; i++) {
            String ip = "127.0.0." + i;
            HyphaeConfig config = HyphaeConfig.builder()
                    .cluster(c -> c.name("k8s-test").secret("k8s-cluster-test-secret-0123456"))
                    .node(n -> n.name("hyphae-" + ip).bind(ip + ":" + port))
                    .discovery("kubernetes", d -> d.set("selector", "app=hyphae").set("port", String.valueOf(port))
                            .set("kubeconfig", kubeconfig.toString()))
                    .build();
            nodes.add(HyphaeNode.start(config, new SimpleMeterRegistry(), loops));
        }

        // Then every directory lists all five as live
        Set<NodeId> everyone = nodes.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.liveMembers().equals(everyone)));
        log.info("kubernetes: complete 5-node directory on every node {} ms after the first start",
                (System.nanoTime() - start) / 1_000_000);
        assertThat(nodes).allMatch(HyphaeNode::joined);
    }
}
