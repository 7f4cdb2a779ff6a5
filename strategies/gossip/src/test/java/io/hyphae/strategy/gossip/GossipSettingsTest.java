package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class GossipSettingsTest {

    private static GossipSettings read(Map<String, ?> values) {
        return GossipSettings.read(new ConfigSection("gossip.yaml", "discovery[0]", values));
    }

    @Test
    void emptyBlockGivesTheDocumentedDefaults() throws Exception {
        GossipSettings s = read(Map.of());

        assertThat(s).isEqualTo(GossipSettings.defaults());
        assertThat(s.mode()).isEqualTo(GossipMode.MULTICAST);
        assertThat(s.group()).isEqualTo(InetAddress.getByName("239.255.77.77"));
        assertThat(s.port()).isEqualTo(7947);
        assertThat(s.ttl()).isEqualTo(1);
        assertThat(s.networkInterface()).isEmpty();
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.expiry()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.maxClockSkew()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void readsEveryKey() throws Exception {
        GossipSettings s = read(Map.of("group", "ff05::7947", "port", 9000, "ttl", 4, "interface", "lo",
                "interval", "200ms", "expiry", "2s", "max-clock-skew", "3s", "replay-cache-size", 500));

        assertThat(s).isEqualTo(new GossipSettings(GossipMode.MULTICAST, InetAddress.getByName("ff05::7947"), 9000, 4,
                Optional.of("lo"), Optional.empty(), Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(3), 500));
    }

    @Test
    void expiryDefaultsToFiveIntervals() {
        assertThat(read(Map.of("interval", "300ms")).expiry()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void broadcastModeNeedsItsAddress() throws Exception {
        assertThat(read(Map.of("mode", "broadcast", "broadcast-address", "127.255.255.255")).broadcastAddress())
                .contains(InetAddress.getByName("127.255.255.255"));
        assertThatThrownBy(() -> read(Map.of("mode", "broadcast")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gossip.yaml: discovery[0].broadcast-address: is required with mode: broadcast");
    }

    @Test
    void refusesBadValuesNamingTheKey() {
        assertThatThrownBy(() -> read(Map.of("mode", "carrier-pigeon"))).hasMessageContaining("discovery[0].mode: expected multicast or broadcast");
        assertThatThrownBy(() -> read(Map.of("group", "10.0.0.1"))).hasMessageContaining("discovery[0].group: expected a multicast address");
        assertThatThrownBy(() -> read(Map.of("group", "some.host.name"))).hasMessageContaining("discovery[0].group: expected an IP address literal");
        assertThatThrownBy(() -> read(Map.of("port", 70000))).hasMessageContaining("discovery[0].port: expected a whole number from 1 to 65535");
        assertThatThrownBy(() -> read(Map.of("ttl", -1))).hasMessageContaining("discovery[0].ttl");
        assertThatThrownBy(() -> read(Map.of("interval", "soon"))).hasMessageContaining("discovery[0].interval: expected a duration");
        assertThatThrownBy(() -> read(Map.of("interval", "1s", "expiry", "1500ms"))).hasMessageContaining("discovery[0].expiry: expected at least twice the interval");
        assertThatThrownBy(() -> read(Map.of("mode", "broadcast", "broadcast-address", "ff02::1"))).hasMessageContaining("expected an IPv4 address");
        assertThatThrownBy(() -> read(Map.of("mode", "broadcast", "broadcast-address", "127.255.255.255", "group", "239.1.1.1")))
                .hasMessageContaining("discovery[0].group: applies to mode: multicast only");
        assertThatThrownBy(() -> read(Map.of("broadcast-address", "127.255.255.255"))).hasMessageContaining("applies to mode: broadcast only");
    }

    @Test
    void refusesUnknownKeyNamingTheNearest() {
        assertThatThrownBy(() -> read(Map.of("intervall", "1s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("discovery[0].intervall: unknown key (did you mean 'interval'?)");
    }

    @Test
    void refusesAnInterfaceThatIsNotHereListingThoseThatAre() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            DiscoveryContext context = new DiscoveryContext("c", new NodeId("n", new HostAndPort("127.0.0.1", 1), 1),
                    Optional.of(ClusterSecret.of("0123456789abcdef")), new SimpleMeterRegistry(), scheduler);
            ConfigSection block = new ConfigSection("gossip.yaml", "discovery[0]", Map.of("strategy", "gossip", "interface", "eht0"));

            assertThatThrownBy(() -> DiscoveryStrategies.create(block, context, getClass().getClassLoader()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("discovery[0].interface: no network interface named or holding 'eht0'")
                    .hasMessageContaining("lo");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
