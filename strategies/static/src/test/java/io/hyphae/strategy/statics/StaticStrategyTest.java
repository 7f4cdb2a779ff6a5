package io.hyphae.strategy.statics;

import io.hyphae.membership.discovery.HostResolver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaticStrategyTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicReference<Set<HostAndPort>> seeds = new AtomicReference<>();
    private final List<Set<HostAndPort>> updates = new CopyOnWriteArrayList<>();
    private final List<DiscoveryStrategy> started = new ArrayList<>();

    StaticStrategyTest() {
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stop() {
        started.forEach(DiscoveryStrategy::close);
        scheduler.shutdownNow();
    }

    @Test
    void reportsEverySeedButTheNodeItself() {
        // Given a node at 127.0.0.1:7001 whose seed list includes itself
        DiscoveryStrategy strategy = fromConfig(Map.of("strategy", "static",
                "seeds", List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003")));

        // When it starts
        start(strategy);

        // Then it reports the other two, and only them
        await().atMost(DEADLINE).until(() -> seeds.get() != null);
        assertThat(seeds.get()).containsExactlyInAnyOrder(seed("127.0.0.1", 7002), seed("127.0.0.1", 7003));
    }

    @Test
    void resolvesHostNamesToAddressesThroughTheSystemResolver() {
        // Given a seed written as a name the machine knows without a DNS server
        DiscoveryStrategy strategy = fromConfig(Map.of("strategy", "static", "seeds", List.of("localhost:7002")));

        // When it starts
        start(strategy);

        // Then the seed is reported as the loopback address(es) the name stands for
        await().atMost(DEADLINE).until(() -> seeds.get() != null);
        assertThat(seeds.get()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.port()).isEqualTo(7002);
            assertThat(InetAddress.getByName(s.host()).isLoopbackAddress()).isTrue();
        });
    }

    @Test
    void followsANameWhoseAddressesChangeBetweenPolls() {
        // Given a name with one address, polled every 50 ms
        TestResolver dns = new TestResolver();
        dns.set("nodes.hyphae.test", "127.0.0.2");
        start(new StaticStrategy(settings("50ms", "nodes.hyphae.test:7946"), context(), dns));
        await().atMost(DEADLINE).until(() -> Set.of(seed("127.0.0.2", 7946)).equals(seeds.get()));

        // When a second address is added, then the first removed
        dns.set("nodes.hyphae.test", "127.0.0.2", "127.0.0.3");
        await().atMost(DEADLINE).until(() -> Set.of(seed("127.0.0.2", 7946), seed("127.0.0.3", 7946)).equals(seeds.get()));
        dns.set("nodes.hyphae.test", "127.0.0.3");

        // Then each change is reported as the complete new set
        await().atMost(DEADLINE).until(() -> Set.of(seed("127.0.0.3", 7946)).equals(seeds.get()));
        assertThat(updates).containsSubsequence(
                Set.of(seed("127.0.0.2", 7946)),
                Set.of(seed("127.0.0.2", 7946), seed("127.0.0.3", 7946)),
                Set.of(seed("127.0.0.3", 7946)));
    }

    @Test
    void aSeedThatDoesNotResolveIsCountedAndTheOthersStillCount() {
        // Given one seed whose name does not resolve and one that does
        TestResolver dns = new TestResolver();
        dns.set("good.hyphae.test", "127.0.0.4");
        start(new StaticStrategy(settings("50ms", "missing.hyphae.test:7946", "good.hyphae.test:7946"), context(), dns));

        // Then the good one is reported and the bad one counted as a failure on every poll
        await().atMost(DEADLINE).until(() -> Set.of(seed("127.0.0.4", 7946)).equals(seeds.get()));
        await().atMost(DEADLINE).until(() -> failures() >= 2);
    }

    @Test
    void aNameThatStopsResolvingKeepsItsLastAddresses() {
        // Given two names that resolve
        TestResolver dns = new TestResolver();
        dns.set("a.hyphae.test", "127.0.0.5");
        dns.set("b.hyphae.test", "127.0.0.6");
        start(new StaticStrategy(settings("50ms", "a.hyphae.test:7946", "b.hyphae.test:7946"), context(), dns));
        Set<HostAndPort> both = Set.of(seed("127.0.0.5", 7946), seed("127.0.0.6", 7946));
        await().atMost(DEADLINE).until(() -> both.equals(seeds.get()));

        // When one of them stops resolving for several polls
        dns.remove("a.hyphae.test");
        double before = failures();
        await().atMost(DEADLINE).until(() -> failures() >= before + 3);

        // Then the failure is counted but the seed set in force is unchanged
        assertThat(seeds.get()).isEqualTo(both);
        assertThat(updates).hasSize(1);
    }

    @Test
    void closingStopsThePolling() {
        // Given a running strategy
        DiscoveryStrategy strategy = new StaticStrategy(settings("50ms", "127.0.0.1:7002"), context(), HostResolver.SYSTEM);
        start(strategy);
        await().atMost(DEADLINE).until(() -> seeds.get() != null);

        // When it is closed
        strategy.close();

        // Then no poll is left scheduled
        await().atMost(DEADLINE).until(() -> scheduler.getQueue().isEmpty() && scheduler.getActiveCount() == 0);
    }

    @Test
    void refusesABlockWithoutSeeds() {
        assertThatThrownBy(() -> fromConfig(Map.of("strategy", "static")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].seeds")
                .hasMessageContaining("is required");
    }

    @Test
    void refusesASeedWithoutAPort() {
        assertThatThrownBy(() -> fromConfig(Map.of("strategy", "static", "seeds", List.of("127.0.0.1:7002", "node-b"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].seeds[1]")
                .hasMessageContaining("no port");
    }

    @Test
    void refusesAMisspelledKeyNamingTheRightOne() {
        assertThatThrownBy(() -> fromConfig(Map.of("strategy", "static", "seeds", List.of("127.0.0.1:7002"), "poll-intervall", "1s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].poll-intervall")
                .hasMessageContaining("did you mean 'poll-interval'");
    }

    private DiscoveryStrategy fromConfig(Map<String, ?> block) {
        ConfigSection section = new ConfigSection("test.yaml", "discovery[0]", block);
        return DiscoveryStrategies.create(section, context(), getClass().getClassLoader());
    }

    private void start(DiscoveryStrategy strategy) {
        started.add(strategy);
        strategy.start(s -> {
            updates.add(s);
            seeds.set(s);
        });
    }

    private DiscoveryContext context() {
        NodeId self = new NodeId("self", seed("127.0.0.1", 7001), 1);
        return new DiscoveryContext("test", self, Optional.empty(), meters, scheduler);
    }

    private double failures() {
        return meters.get("hyphae.discovery.failures").tag("strategy", "static").counter().count();
    }

    private static StaticStrategy.Settings settings(String poll, String... seeds) {
        return new StaticStrategy.Settings(
                Arrays.stream(seeds).map(s -> HostAndPort.parse(s, -1)).toList(),
                ConfigSection.parseDuration(poll));
    }

    private static HostAndPort seed(String host, int port) {
        return new HostAndPort(host, port);
    }

    /** A name table the test edits while the strategy runs, standing in for a DNS zone. */
    private static final class TestResolver implements HostResolver {
        private final Map<String, InetAddress[]> names = new ConcurrentHashMap<>();

        void set(String name, String... ips) {
            InetAddress[] addresses = new InetAddress[ips.length];
            for (int i = 0; i < ips.length; i++) {
                try {
                    addresses[i] = InetAddress.getByName(ips[i]);
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException(e);
                }
            }
            names.put(name, addresses);
        }

        void remove(String name) {
            names.remove(name);
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            InetAddress[] found = names.get(host);
            if (found != null) {
                return found;
            }
            return InetAddress.getAllByName(requireLiteral(host));
        }

        private static String requireLiteral(String host) throws UnknownHostException {
            if (!host.matches("[0-9.]+|.*:.*")) {
                throw new UnknownHostException(host);
            }
            return host;
        }
    }
}
