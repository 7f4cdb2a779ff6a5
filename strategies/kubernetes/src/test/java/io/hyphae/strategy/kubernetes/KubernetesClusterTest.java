package io.hyphae.strategy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.testkit.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five real nodes, each the "pod" whose podIP is its own loopback address (127.0.0.2..6, one
 * port), discovering each other through Fabric8's mock API server in CRUD mode: the cluster
 * forms, follows a pod's deletion, and keeps running when the API server refuses (403) and then
 * is gone.
 */
class KubernetesClusterTest {

    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final Map<String, String> HYPHAE = Map.of("app", "hyphae");

    @TempDir
    Path dir;

    private MockApiServer api;
    private boolean apiClosed;
    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (api != null && !apiClosed) {
            api.close();
        }
    }

    @Test
    void fivePodsFormAClusterFollowAPodsDeletionAndOutliveTheApiServer() throws Exception {
        // Given five ready pods matching the selector
        api = new MockApiServer();
        for (int i = 0; i < 5; i++) {
            api.createPod("k" + i, ip(i), true, HYPHAE);
        }
        int port = LocalCluster.freePort("127.0.0.2");
        Path kubeconfig = api.kubeconfig(dir, true);
        cluster = new LocalCluster("kubernetes-cluster");

        // When a node starts in each, discovering pods through the API server
        for (int i = 0; i < 5; i++) {
            cluster.start("k" + i, ip(i) + ":" + port, b -> b.discovery("kubernetes", d -> d
                    .set("selector", "app=hyphae").set("port", port).set("kubeconfig", kubeconfig.toString())));
        }

        // Then every directory lists all five (the time from the first start is logged)
        cluster.awaitComplete(LIMIT);

        // When a pod is deleted and its node stops
        HyphaeNode deleted = cluster.running().get(4);
        api.deletePod("k4");
        cluster.stop(deleted);

        // Then every other node reports it down and no longer has it as a seed
        cluster.awaitDown(deleted.self(), DownReason.LEFT, LIMIT);
        List<HyphaeNode> remaining = cluster.running();
        await().atMost(LIMIT).untilAsserted(() -> assertThat(remaining).allSatisfy(n -> assertThat(seeds(n)).isEqualTo(3)));
        cluster.awaitComplete(LIMIT);

        // When the API server starts refusing to list and watch pods (403), and drops the watches
        double failures = failures(remaining.get(0));
        api.forbid("list");
        api.forbid("watch");
        api.dropWatches();
        await().atMost(LIMIT).until(() -> failures(remaining.get(0)) > failures);

        // Then the four keep their members and their last good seeds, and still broadcast
        assertKeepsServing(remaining, deleted);

        // And the same when the API server is gone altogether
        double refused = failures(remaining.get(0));
        api.close();
        apiClosed = true;
        await().atMost(LIMIT).until(() -> failures(remaining.get(0)) > refused);
        assertKeepsServing(remaining, deleted);
    }

    private void assertKeepsServing(List<HyphaeNode> remaining, HyphaeNode deleted) {
        assertThat(remaining).allSatisfy(n -> {
            assertThat(n.liveMembers()).hasSize(4);
            assertThat(seeds(n)).isEqualTo(3);
            assertThat(cluster.events(n)).filteredOn(e -> e.startsWith("down")).containsOnly("down " + deleted.self() + " LEFT");
        });
        cluster.awaitBroadcastReachesEveryone(LIMIT);
    }

    private double seeds(HyphaeNode node) {
        return cluster.registry(node).get("hyphae.discovery.seeds").tag("strategy", "kubernetes").gauge().value();
    }

    private double failures(HyphaeNode node) {
        return cluster.registry(node).get("hyphae.discovery.failures").tag("strategy", "kubernetes").counter().count();
    }

    /** The pod IP of the i-th pod: 127.0.0.2 for the first, 127.0.0.3 for the second, ... */
    private static String ip(int index) {
        return "127.0.0." + (index + 2);
    }
}
