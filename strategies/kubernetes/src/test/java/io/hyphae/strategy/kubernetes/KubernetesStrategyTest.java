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
}
