package io.hyphae.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.DiscoveryConfig;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoverySeeds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every config file the project ships (examples/config/ and the ones the Kubernetes manifests
 * mount) loads, and every strategy block in it is accepted by its strategy. This module has
 * every strategy on its class path, so nothing is skipped.
 */
class ExampleConfigsTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Map<String, String> ENV = Map.of(
            "HYPHAE_SECRET", "example-secret-of-enough-bytes", "POD_NAME", "hyphae-0", "POD_IP", "10.1.2.3");

    static {
        // The manifests' file leaves the namespace to the pod's service account, which a test
        // outside a cluster does not have; Fabric8 reads this property as the same default.
        System.setProperty("kubernetes.namespace", "hyphae");
    }

    @TestFactory
    Stream<DynamicTest> everyShippedConfigLoadsAndItsStrategiesAcceptTheirBlocks() throws IOException {
        return shippedConfigs().stream().map(file -> DynamicTest.dynamicTest(BASE.relativize(file).toString(), () -> {
            HyphaeConfig config = HyphaeConfig.load(file, ENV);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
            try (DiscoverySeeds seeds = DiscoverySeeds.create(config, context(scheduler), getClass().getClassLoader())) {
                assertThat(seeds.size()).isEqualTo(config.discovery().size()).isPositive();
            } finally {
                scheduler.shutdownNow();
            }
        }));
    }

    @Test
    void everyStrategyHasAnExample() throws IOException {
        // Guards the factory above against passing on an empty folder.
        List<String> strategies = shippedConfigs().stream()
                .flatMap(f -> HyphaeConfig.load(f, ENV).discovery().stream())
                .map(DiscoveryConfig::strategy)
                .distinct().toList();
        assertThat(strategies).contains("static", "dns", "kubernetes", "gossip");
    }

    private static List<Path> shippedConfigs() throws IOException {
        try (Stream<Path> files = Files.list(BASE.resolve("config"))) {
            return Stream.concat(files.filter(p -> p.toString().endsWith(".yaml")),
                    Stream.of(BASE.resolve("kubernetes/hyphae.yaml"), BASE.resolve("kubernetes/dns/hyphae.yaml"))).sorted().toList();
        }
    }

    private static DiscoveryContext context(ScheduledExecutorService scheduler) {
        return new DiscoveryContext("example", new NodeId("example", new HostAndPort("127.0.0.1", 7946), 1),
                Optional.empty(), new SimpleMeterRegistry(), scheduler);
    }
}
