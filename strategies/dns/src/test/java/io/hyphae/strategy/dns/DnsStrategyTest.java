package io.hyphae.strategy.dns;

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
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dns strategy against a real dnsmasq on a loopback port. */
class DnsStrategyTest {

    private static final Logger LOG = LoggerFactory.getLogger(DnsStrategyTest.class);
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final String NODES = "nodes." + Dnsmasq.DOMAIN;
    private static final String SRV = "_hyphae._tcp." + Dnsmasq.DOMAIN;

    @TempDir
    Path dir;

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(2);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<DiscoveryStrategy> started = new ArrayList<>();
    private Dnsmasq dns;

    @AfterEach
    void stop() {
        started.forEach(DiscoveryStrategy::close);
        scheduler.shutdownNow();
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void followsANodeAddedAndRemovedInDns() throws Exception {
        // Given a name with two A records
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts("127.0.0.11 " + NODES, "127.0.0.12 " + NODES);
        dns.start();
        Seeds seeds = start(block("name", NODES, "port", 7946));
        await().atMost(DEADLINE).until(() -> seeds.are(seed("127.0.0.11", 7946), seed("127.0.0.12", 7946)));

        // When a node is added to DNS
        dns.hosts("127.0.0.11 " + NODES, "127.0.0.12 " + NODES, "127.0.0.13 " + NODES);

        // Then it is reported
        await().atMost(DEADLINE).until(() -> seeds.are(seed("127.0.0.11", 7946), seed("127.0.0.12", 7946), seed("127.0.0.13", 7946)));

        // And when one is removed, it is gone from the next report
        dns.hosts("127.0.0.12 " + NODES, "127.0.0.13 " + NODES);
        await().atMost(DEADLINE).until(() -> seeds.are(seed("127.0.0.12", 7946), seed("127.0.0.13", 7946)));
    }

    @Test
    void fiveNodesFindEachOtherThroughSrvRecordsAndFollowARemoval() throws Exception {
        // Given five nodes on one address, told apart by the ports their SRV records carry
        dns = new Dnsmasq(dir, "127.0.0.1");
        List<String> hosts = new ArrayList<>();
        List<String> srv = new ArrayList<>();
        Set<HostAndPort> all = new HashSet<>();
        for (int i = 1; i <= 5; i++) {
            hosts.add("127.0.0.1 n" + i + "." + Dnsmasq.DOMAIN);
            srv.add(SRV + ",n" + i + "." + Dnsmasq.DOMAIN + "," + (7000 + i));
            all.add(seed("127.0.0.1", 7000 + i));
        }
        dns.hosts(hosts.toArray(String[]::new));
        dns.srv(srv.toArray(String[]::new));
        dns.start();

        // When each node runs the strategy
        long t0 = System.nanoTime();
        List<Seeds> nodes = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            nodes.add(start(block("srv", SRV, "poll-interval", "100ms"), seed("127.0.0.1", 7000 + i), new SimpleMeterRegistry()));
        }

        // Then every node learns the four others, with their ports
        await().atMost(DEADLINE).until(() -> nodes.stream().allMatch(n -> n.current().size() == 4));
        long last = nodes.stream().mapToLong(n -> n.firstCompleteAt).max().orElseThrow();
        LOG.info("dns (srv): the last of 5 nodes had its complete seed set {} µs after the first strategy started",
                (last - t0) / 1_000);
        for (int i = 0; i < 5; i++) {
            Set<HostAndPort> others = new HashSet<>(all);
            others.remove(seed("127.0.0.1", 7001 + i));
            assertThat(nodes.get(i).current()).isEqualTo(others);
        }

        // And when node 5's SRV record is removed, the others drop it
        dns.srv(srv.subList(0, 4).toArray(String[]::new));
        dns.restart();
        await().atMost(DEADLINE).until(() -> nodes.subList(0, 4).stream()
                .allMatch(n -> n.current().size() == 3 && !n.current().contains(seed("127.0.0.1", 7005))));
    }

    @Test
    void readsAaaaRecordsFromAServerOnIpv6Loopback() throws Exception {
        // Given a DNS server listening on ::1 with AAAA records (skipped where ::1 is missing)
        Assumptions.assumeTrue(canBind("::1"), "no IPv6 loopback on this machine");
        dns = new Dnsmasq(dir, "::1");
        dns.hosts("fd00::11 " + NODES, "fd00::12 " + NODES, "127.0.0.11 " + NODES);
        dns.start();

        // When the strategy asks for IPv6 addresses only
        Seeds seeds = start(block("name", NODES, "port", 7946, "address-family", "ipv6"));

        // Then it reports both IPv6 addresses and not the IPv4 one
        await().atMost(DEADLINE).until(() -> seeds.current().size() == 2);
        assertThat(seeds.current()).extracting(s -> InetAddress.getByName(s.host()))
                .containsExactlyInAnyOrder(InetAddress.getByName("fd00::11"), InetAddress.getByName("fd00::12"));
    }

    @Test
    void keepsTheLastGoodSeedsWhileTheServerIsDownAndRecoversWhenItReturns() throws Exception {
        // Given a running strategy with seeds
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts("127.0.0.11 " + NODES);
        dns.start();
        Seeds seeds = start(block("name", NODES, "port", 7946, "timeout", "200ms"));
        await().atMost(DEADLINE).until(() -> seeds.are(seed("127.0.0.11", 7946)));

        // When the DNS server stops
        dns.stop();

        // Then failures are counted and the seeds stay as they were
        await().atMost(DEADLINE).until(() -> failures() >= 3);
        assertThat(seeds.updates).containsExactly(Set.of(seed("127.0.0.11", 7946)));

        // And when it comes back with a new node, the strategy follows again
        dns.hosts("127.0.0.11 " + NODES, "127.0.0.12 " + NODES);
        dns.start();
        await().atMost(DEADLINE).until(() -> seeds.are(seed("127.0.0.11", 7946), seed("127.0.0.12", 7946)));
    }

    @Test
    void aNameThatDoesNotExistIsAFailureNotAnEmptyCluster() throws Exception {
        // Given a running strategy whose name has records
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts("127.0.0.11 " + NODES);
        dns.start();
        Seeds seeds = start(block("name", NODES, "port", 7946));
        await().atMost(DEADLINE).until(() -> seeds.are(seed("127.0.0.11", 7946)));

        // When the name disappears from DNS altogether (NXDOMAIN)
        dns.hosts("127.0.0.99 other." + Dnsmasq.DOMAIN);

        // Then that is counted as a failure and the last seeds stay
        await().atMost(DEADLINE).until(() -> failures() >= 2);
        assertThat(seeds.updates).containsExactly(Set.of(seed("127.0.0.11", 7946)));
    }

    @Test
    void aNameWithoutRecordsOfTheAskedTypeMeansNoNodes() throws Exception {
        // Given a name that exists but has only an IPv6 address
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts("fd00::11 " + NODES);
        dns.start();

        // When the strategy asks for IPv4 addresses
        Seeds seeds = start(block("name", NODES, "port", 7946));

        // Then it reports an empty set (a success: DNS says there is nobody), not a failure
        await().atMost(DEADLINE).until(() -> seeds.updates.size() == 1);
        assertThat(seeds.current()).isEmpty();
        assertThat(failures()).isZero();
    }

    @Test
    void aServerThatRefusesIsAFailure() throws Exception {
        // Given a server that knows nothing outside hyphae.test and has no upstream
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.start();

        // When the strategy asks it for a name elsewhere
        Seeds seeds = start(block("name", "nodes.example.org", "port", 7946));

        // Then each poll fails and is counted, and nothing is reported
        await().atMost(DEADLINE).until(() -> failures() >= 2);
        assertThat(seeds.updates).isEmpty();
    }

    @Test
    void refusesABlockWithBothNameAndSrv() {
        assertThatThrownBy(() -> DnsStrategyProvider.settings(section(Map.of("name", NODES, "port", 1, "srv", SRV))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].srv")
                .hasMessageContaining("not both");
    }

    @Test
    void refusesANameWithoutAPort() {
        assertThatThrownBy(() -> DnsStrategyProvider.settings(section(Map.of("name", NODES))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].port")
                .hasMessageContaining("is required with 'name'");
    }

    @Test
    void refusesAPortWithSrv() {
        assertThatThrownBy(() -> DnsStrategyProvider.settings(section(Map.of("srv", SRV, "port", 7946))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].port")
                .hasMessageContaining("SRV records carry");
    }

    @Test
    void refusesAnUnknownAddressFamily() {
        assertThatThrownBy(() -> DnsStrategyProvider.settings(section(Map.of("name", NODES, "port", 1, "address-family", "v6"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].address-family")
                .hasMessageContaining("expected one of ipv4, ipv6, both");
    }

    @Test
    void refusesABadResolverAddress() {
        assertThatThrownBy(() -> DnsStrategyProvider.settings(section(Map.of("name", NODES, "port", 1, "resolver", "127.0.0.1:dns"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].resolver")
                .hasMessageContaining("port number");
    }

    private Map<String, Object> block(Object... keyValues) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("strategy", "dns");
        block.put("resolver", dns.address());
        block.put("poll-interval", "100ms");
        for (int i = 0; i < keyValues.length; i += 2) {
            block.put((String) keyValues[i], keyValues[i + 1]);
        }
        return block;
    }

    private Seeds start(Map<String, Object> block) {
        return start(block, seed("127.0.0.1", 7001), meters);
    }

    private Seeds start(Map<String, Object> block, HostAndPort self, SimpleMeterRegistry nodeMeters) {
        DiscoveryContext context = new DiscoveryContext("test", new NodeId("node-" + self.port(), self, 1),
                Optional.empty(), nodeMeters, scheduler);
        DiscoveryStrategy strategy = DiscoveryStrategies.create(section(block), context, getClass().getClassLoader());
        started.add(strategy);
        Seeds seeds = new Seeds();
        strategy.start(seeds::record);
        return seeds;
    }

    private static ConfigSection section(Map<String, ?> block) {
        return new ConfigSection("test.yaml", "discovery[0]", block);
    }

    private double failures() {
        return meters.get("hyphae.discovery.failures").tag("strategy", "dns").counter().count();
    }

    private static HostAndPort seed(String host, int port) {
        return new HostAndPort(host, port);
    }

    private static boolean canBind(String address) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 0))) {
            return s.getLocalPort() > 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** What one strategy reported: every update, and the latest. */
    private static final class Seeds {
        final List<Set<HostAndPort>> updates = new CopyOnWriteArrayList<>();
        final AtomicReference<Set<HostAndPort>> latest = new AtomicReference<>(Set.of());

        /** When a set of four peers (all the others, in the five-node test) first arrived. */
        volatile long firstCompleteAt;

        void record(Set<HostAndPort> seeds) {
            if (seeds.size() == 4 && firstCompleteAt == 0) {
                firstCompleteAt = System.nanoTime();
            }
            updates.add(seeds);
            latest.set(seeds);
        }

        Set<HostAndPort> current() {
            return latest.get();
        }

        boolean are(HostAndPort... expected) {
            return Set.of(expected).equals(latest.get());
        }
    }
}
