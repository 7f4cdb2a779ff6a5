package io.hyphae.strategy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoverySeeds;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several strategies from one file's discovery list, running at once. */
class DiscoverySeedsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String DEV = "cluster:\n  insecure-dev-mode: true\nnode:\n  bind: 127.0.0.1:7001\n";

    @TempDir
    Path dir;

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Set<HostAndPort>> reports = new CopyOnWriteArrayList<>();
    private DiscoverySeeds seeds;
    private Dnsmasq dns;

    @AfterEach
    void stop() {
        if (seeds != null) {
            seeds.close();
        }
        scheduler.shutdownNow();
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void unitesTheSeedsOfTwoStaticStrategiesWithoutDuplicates() throws IOException {
        // Given two static strategies whose lists overlap
        HyphaeConfig config = load(DEV + """
                discovery:
                  - strategy: static
                    seeds: [127.0.0.1:7002, 127.0.0.1:7003]
                  - strategy: static
                    seeds: [127.0.0.1:7003, 127.0.0.1:7004]
                """);

        // When both run
        start(config);

        // Then the listener hears one set holding each seed once
        Set<HostAndPort> all = Set.of(seed(7002), seed(7003), seed(7004));
        await().atMost(DEADLINE).until(() -> all.equals(seeds.current()));
        assertThat(reports.get(reports.size() - 1)).isEqualTo(all);
        assertThat(seeds.size()).isEqualTo(2);
    }

    @Test
    void aFailingStrategyDoesNotTakeAwayTheOthersSeeds() throws Exception {
        // Given a static strategy and a dns strategy, both with seeds
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts("127.0.0.11 nodes." + Dnsmasq.DOMAIN);
        dns.start();
        HyphaeConfig config = load(DEV + """
                discovery:
                  - strategy: static
                    seeds: [127.0.0.1:7002]
                  - strategy: dns
                    name: nodes.hyphae.test
                    port: 7946
                    resolver: %s
                    poll-interval: 100ms
                    timeout: 200ms
                """.formatted(dns.address()));
        start(config);
        Set<HostAndPort> both = Set.of(seed(7002), new HostAndPort("127.0.0.11", 7946));
        await().atMost(DEADLINE).until(() -> both.equals(seeds.current()));

        // When the DNS server goes away and the dns strategy fails again and again
        dns.stop();
        await().atMost(DEADLINE).until(() -> meters.get("hyphae.discovery.failures").tag("strategy", "dns").counter().count() >= 3);

        // Then the united set still holds every seed
        assertThat(seeds.current()).isEqualTo(both);
        assertThat(reports).last().isEqualTo(both);
    }

    @Test
    void aBadStrategyBlockIsRefusedBeforeAnythingStartsNamingTheFileAndKey() throws IOException {
        // Given a file whose second strategy lacks its required key
        HyphaeConfig config = load(DEV + """
                discovery:
                  - strategy: static
                    seeds: [127.0.0.1:7002]
                  - strategy: dns
                    port: 7946
                """);

        // When the strategies are created, then the error names the file and the key
        assertThatThrownBy(() -> DiscoverySeeds.create(config, context(), getClass().getClassLoader()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir.resolve("hyphae.yaml") + ": discovery[1].name: is required");
    }

    private HyphaeConfig load(String yaml) throws IOException {
        return HyphaeConfig.load(Files.writeString(dir.resolve("hyphae.yaml"), yaml), Map.of());
    }

    private void start(HyphaeConfig config) {
        seeds = DiscoverySeeds.create(config, context(), getClass().getClassLoader());
        seeds.start(reports::add);
    }

    private DiscoveryContext context() {
        return new DiscoveryContext("test", new NodeId("self", seed(7001), 1), Optional.empty(), meters, scheduler);
    }

    private static HostAndPort seed(int port) {
        return new HostAndPort("127.0.0.1", port);
    }
}
