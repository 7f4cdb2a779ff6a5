package io.hyphae.strategy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strategy against Fabric8's mock API server in CRUD mode, reached over HTTP through a
 * kubeconfig file, as a node outside the cluster would.
 */
class KubernetesStrategyTest {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesStrategyTest.class);
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Map<String, String> HYPHAE = Map.of("app", "hyphae");
    private static final NodeId SELF = new NodeId("self-pod", new HostAndPort("10.0.0.99", 7946), 1);

    @TempDir
    Path dir;

    private MockApiServer api;
    private ScheduledExecutorService scheduler;
    private SimpleMeterRegistry meters;
    private final List<Set<HostAndPort>> published = new CopyOnWriteArrayList<>();
    private KubernetesStrategy strategy;

    @BeforeEach
    void startServer() {
        api = new MockApiServer();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        meters = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() {
        if (strategy != null) {
            strategy.close();
        }
        scheduler.shutdownNow();
        api.close();
    }

    private KubernetesStrategy start(Map<String, Object> extraKeys) throws Exception {
        Map<String, Object> block = new HashMap<>();
        block.put("strategy", "kubernetes");
        block.put("selector", "app=hyphae");
        block.put("kubeconfig", api.kubeconfig(dir, true).toString());
        block.putAll(extraKeys);
        DiscoveryContext context = new DiscoveryContext("test", SELF, Optional.empty(), meters, scheduler);
        strategy = (KubernetesStrategy) DiscoveryStrategies.create(ConfigSection.of(block), context, getClass().getClassLoader());
        strategy.start(published::add);
        return strategy;
    }

    private Set<HostAndPort> current() {
        return published.isEmpty() ? null : published.get(published.size() - 1);
    }

    private void awaitSeeds(HostAndPort... expected) {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(current()).containsExactlyInAnyOrder(expected));
    }

    private static HostAndPort seed(String ip) {
        return new HostAndPort(ip, 7946);
    }

    private double failures() {
        return meters.get("hyphae.discovery.failures").counter().count();
    }

    @Test
    void reportsPodsOnlyOnceTheyAreReady() throws Exception {
        // Given a running strategy and an empty namespace
        start(Map.of());
        await().atMost(DEADLINE).until(() -> current() != null);
        assertThat(current()).isEmpty();

        // When a pod starts but is not ready, and then another one that is
        api.createPod("a", "10.0.0.1", false, HYPHAE);
        api.createPod("b", "10.0.0.2", true, HYPHAE);

        // Then only the ready one is reported
        awaitSeeds(seed("10.0.0.2"));

        // When the first turns ready, it is reported too
        api.setReady("a", true);
        awaitSeeds(seed("10.0.0.1"), seed("10.0.0.2"));
    }

    @Test
    void forgetsDeletedPods() throws Exception {
        // Given two ready pods reported
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        api.createPod("b", "10.0.0.2", true, HYPHAE);
        start(Map.of());
        awaitSeeds(seed("10.0.0.1"), seed("10.0.0.2"));

        // When one is deleted
        api.deletePod("a");

        // Then only the other remains
        awaitSeeds(seed("10.0.0.2"));
    }

    @Test
    void forgetsPodsRelabelledOutOfTheSelectorAndTakesThemBack() throws Exception {
        // Given two ready pods reported, and one of another app that is not
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        api.createPod("b", "10.0.0.2", true, HYPHAE);
        api.createPod("other", "10.0.0.3", true, Map.of("app", "other"));
        start(Map.of());
        awaitSeeds(seed("10.0.0.1"), seed("10.0.0.2"));

        // When one is relabelled out of the selector
        api.relabel("a", Map.of("app", "retired"));

        // Then it is no longer a seed
        awaitSeeds(seed("10.0.0.2"));

        // When the other app's pod is relabelled into it
        api.relabel("other", HYPHAE);

        // Then it becomes one
        awaitSeeds(seed("10.0.0.2"), seed("10.0.0.3"));
    }

    @Test
    void fivePodsGiveFiveSeeds() throws Exception {
        // Given five ready pods, as a five-node cluster would have
        for (int i = 1; i <= 5; i++) {
            api.createPod("hyphae-" + i, "10.0.1." + i, true, HYPHAE);
        }

        // When the strategy starts
        long startNanos = System.nanoTime();
        start(Map.of());

        // Then it reports all five
        awaitSeeds(seed("10.0.1.1"), seed("10.0.1.2"), seed("10.0.1.3"), seed("10.0.1.4"), seed("10.0.1.5"));
        LOG.info("kubernetes strategy: start to 5 seeds took {} ms", Duration.ofNanos(System.nanoTime() - startNanos).toMillis());
        assertThat(published).hasSize(1);
    }

    @Test
    void leavesItsOwnPodOut() throws Exception {
        // Given this node's own pod (named as the node) and a peer
        api.createPod(SELF.name(), "10.0.0.50", true, HYPHAE);
        api.createPod("peer", "10.0.0.51", true, HYPHAE);

        // When the strategy starts
        start(Map.of());

        // Then only the peer is a seed
        awaitSeeds(seed("10.0.0.51"));
    }

    @Test
    void takesThePortByNameFromEachPod() throws Exception {
        // Given a pod whose container ports are hyphae=7946 and http=8080
        api.createPod("a", "10.0.0.1", true, HYPHAE);

        // When the strategy asks for the port named http
        start(Map.of("port", "http"));

        // Then the seed carries 8080
        awaitSeeds(new HostAndPort("10.0.0.1", 8080));
    }

    @Test
    void skipsPodsWithoutTheNamedPort() throws Exception {
        // Given a pod that has no port named gossip, next to a ready pod reported as a check
        api.createPod("a", "10.0.0.1", true, HYPHAE);

        // When the strategy asks for a port named gossip
        start(Map.of("port", "gossip"));

        // Then the pod is listed but gives no seed
        await().atMost(DEADLINE).until(() -> current() != null);
        assertThat(current()).isEmpty();
    }

    @Test
    void takesTheSamePortNumberForEveryPod() throws Exception {
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        api.createPod("b", "10.0.0.2", true, HYPHAE);

        start(Map.of("port", 9000));

        awaitSeeds(new HostAndPort("10.0.0.1", 9000), new HostAndPort("10.0.0.2", 9000));
    }

    @Test
    void reportsPodDnsNamesUnderTheHeadlessService() throws Exception {
        // Given a Deployment-style pod
        api.createPod("web-5d8f7c-x2x9q", "10.0.0.7", true, HYPHAE);

        // When the strategy runs in dns mode for the headless service hyphae
        start(Map.of("address-mode", "dns", "service", "hyphae", "cluster-domain", "example.internal"));

        // Then the seed is the name CoreDNS serves for that endpoint
        awaitSeeds(new HostAndPort("10-0-0-7.hyphae." + MockApiServer.NAMESPACE + ".svc.example.internal", 7946));
    }

    @Test
    void reportsNotReadyPodsWhenToldTo() throws Exception {
        api.createPod("a", "10.0.0.1", false, HYPHAE);

        start(Map.of("ready-only", false));

        awaitSeeds(seed("10.0.0.1"));
    }

    @Test
    void namesTheMissingListPermissionKeepsTheLastSeedsAndRecovers() throws Exception {
        // Given a strategy that reported two pods
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        api.createPod("b", "10.0.0.2", true, HYPHAE);
        start(Map.of());
        awaitSeeds(seed("10.0.0.1"), seed("10.0.0.2"));
        int publishedBefore = published.size();

        // When the Role loses 'list' and the watch drops, so the strategy must list again
        api.forbid("list");
        api.dropWatches();

        // Then it names the missing permission, counts the failures, keeps its seeds and retries
        await().atMost(DEADLINE).until(() -> strategy.failure().isPresent());
        assertThat(strategy.failure().orElseThrow())
                .contains("'list' on 'pods' in namespace '" + MockApiServer.NAMESPACE + "'")
                .contains("forbidden")
                .contains("Role")
                .contains("RoleBinding");
        int listsAtFailure = api.lists();
        await().atMost(DEADLINE).until(() -> api.lists() > listsAtFailure + 1);
        assertThat(failures()).isGreaterThanOrEqualTo(2);
        assertThat(published).hasSize(publishedBefore);

        // When the permission comes back, while a pod was deleted meanwhile
        api.deletePod("a");
        api.allow("list");

        // Then the strategy recovers and follows the change
        awaitSeeds(seed("10.0.0.2"));
        await().atMost(DEADLINE).until(() -> strategy.failure().isEmpty());
    }

    @Test
    void namesTheMissingWatchPermission() throws Exception {
        // Given a Role that allows list but not watch
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        api.forbid("watch");

        // When the strategy starts
        start(Map.of());

        // Then it says watch is missing, and reports nothing it could not follow
        await().atMost(DEADLINE).until(() -> strategy.failure().isPresent());
        assertThat(strategy.failure().orElseThrow()).contains("'watch' on 'pods' in namespace '" + MockApiServer.NAMESPACE + "'");
        assertThat(published).isEmpty();

        // When watch is granted, the seeds arrive
        api.allow("watch");
        awaitSeeds(seed("10.0.0.1"));
    }

    @Test
    void listsAgainAndWatchesAgainAfterTheWatchDrops() throws Exception {
        // Given a strategy watching
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        start(Map.of());
        awaitSeeds(seed("10.0.0.1"));
        await().atMost(DEADLINE).until(() -> api.openWatches() == 1);
        int listsBefore = api.lists();

        // When the server drops the watch
        api.dropWatches();

        // Then the strategy lists again and opens a new watch, which sees later changes
        await().atMost(DEADLINE).until(() -> api.lists() > listsBefore && api.openWatches() == 1);
        api.createPod("b", "10.0.0.2", true, HYPHAE);
        awaitSeeds(seed("10.0.0.1"), seed("10.0.0.2"));
        assertThat(failures()).isZero();
    }

    @Test
    void listsAgainEveryResyncInterval() throws Exception {
        // Given a short resync interval
        start(Map.of("resync", "200ms"));
        await().atMost(DEADLINE).until(() -> current() != null);

        // Then the strategy keeps listing afresh, with one watch open at a time
        await().atMost(DEADLINE).until(() -> api.lists() >= 4);
        await().atMost(DEADLINE).until(() -> api.openWatches() == 1);
    }

    @Test
    void keepsTheLastSeedsWhileTheApiServerIsDown() throws Exception {
        // Given a strategy that reported a pod
        api.createPod("a", "10.0.0.1", true, HYPHAE);
        start(Map.of());
        awaitSeeds(seed("10.0.0.1"));

        // When the API server goes away
        api.close();

        // Then the strategy fails with a reason naming the server, counts it, and keeps its seed
        await().atMost(DEADLINE).until(() -> strategy.failure().isPresent());
        assertThat(strategy.failure().orElseThrow()).contains("no answer from the API server at http://127.0.0.1:");
        await().atMost(DEADLINE).until(() -> failures() >= 2);
        assertThat(current()).containsExactly(seed("10.0.0.1"));
    }
}
