package io.hyphae.membership.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.transport.BackpressurePolicy;
import io.hyphae.membership.transport.TlsConfig;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.membership.wire.WireLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyphaeConfigTest {

    private static final String SECRET = "0123456789abcdef0123";

    @TempDir
    Path dir;

    private static final String FULL = """
            cluster:
              name: orders
              secret: ${HYPHAE_SECRET}
            node:
              name: orders-1
              bind: 0.0.0.0:7950
              advertise: ${POD_IP}:7950
            tls:
              cert: node.pem
              key: node.key
              trust: ca.pem
            transport:
              connect-timeout: 2s
              handshake-timeout: 4s
              heartbeat-interval: 500ms
              heartbeat-timeout: 3s
              reconnect-window: 10s
              reconnect-initial-delay: 200ms
              reconnect-max-delay: 5s
              max-frame-size: 2MiB
              send-queue-size: 8MiB
              backpressure: close-link
              close-timeout: 3s
              link-idle-timeout: 45s
            discovery:
              - strategy: fixed
                seeds: [10.0.0.2:7950, 10.0.0.3:7950]
              - strategy: fixed
                seeds: [10.0.0.9:7950]
            overlay:
              active-view-size: 6
              passive-view-size: 36
              arwl: 7
              prwl: 4
              shuffle-active: 2
              shuffle-passive: 5
              shuffle-ttl: 5
              shuffle-interval: 15s
              neighbor-timeout: 2s
              promotion-rounds: 12
            broadcast:
              graft-timeout: 300ms
              graft-retry-timeout: 150ms
              ihave-interval: 20ms
              cache-size: 1000
              cache-ttl: 20s
              max-lazy-queue: 100
              max-announcements-per-ihave: 50
              max-missing: 200
              optimization-threshold: 4
              seen-retention: 5m
            directory:
              suspicion-timeout: 8s
              anti-entropy-interval: 3s
              probe-interval: 7s
              max-sync-entries: 64
              tombstone-retention: 2h
            rpc:
              default-timeout: 3s
              max-payload-size: 64KiB
              max-in-flight: 100
            metrics:
              enabled: true
              tags:
                zone: eu-1
            """;

    @Test
    void loadsAFullFileIntoEverySection() throws IOException {
        // Given a file that sets every key, and the TLS files it names
        Path file = fullFileWithTlsFiles();

        // When it is loaded
        HyphaeConfig c = HyphaeConfig.load(file, Map.of("HYPHAE_SECRET", SECRET, "POD_IP", "10.0.0.1"));

        // Then every section holds what the file says, as the components' own records
        assertThat(c.nodeName()).isEqualTo("orders-1");
        assertThat(c.transport()).isEqualTo(new TransportConfig("orders", new HostAndPort("0.0.0.0", 7950),
                Optional.of(new HostAndPort("10.0.0.1", 7950)), Optional.of(ClusterSecret.of(SECRET)), false,
                Optional.of(new TlsConfig(dir.resolve("node.pem"), dir.resolve("node.key"), dir.resolve("ca.pem"))),
                new WireLimits(2 << 20, WireLimits.DEFAULT.maxStringBytes(), WireLimits.DEFAULT.maxCollectionSize()),
                Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofMillis(500), Duration.ofSeconds(3),
                new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), Backoff.DEFAULT.multiplier()),
                Duration.ofSeconds(10), 8 << 20, BackpressurePolicy.CLOSE_LINK, Duration.ofSeconds(3),
                Duration.ofSeconds(45)));
        assertThat(c.discovery()).containsExactly(
                new DiscoveryConfig("fixed", Map.of("seeds", List.of("10.0.0.2:7950", "10.0.0.3:7950"))),
                new DiscoveryConfig("fixed", Map.of("seeds", List.of("10.0.0.9:7950"))));
        assertThat(c.overlay()).isEqualTo(new HyParViewConfig(6, 36, 7, 4, 2, 5, 5, Duration.ofSeconds(15),
                Duration.ofSeconds(2), 12));
        assertThat(c.broadcast()).isEqualTo(new PlumtreeConfig(Duration.ofMillis(300), Duration.ofMillis(150),
                Duration.ofMillis(20), 1000, Duration.ofSeconds(20), 100, 50, 200, 4, Duration.ofMinutes(5)));
        assertThat(c.directory()).isEqualTo(new DirectoryConfig(Duration.ofSeconds(8), Duration.ofSeconds(3), Duration.ofSeconds(7), 64,
                Duration.ofHours(2)));
        assertThat(c.rpc()).isEqualTo(Map.of("default-timeout", "3s", "max-payload-size", "64KiB", "max-in-flight", 100));
        assertThat(c.metrics()).isEqualTo(new MetricsConfig(true, Map.of("zone", "eu-1")));
        assertThat(c.origin()).isEqualTo(file.toString());
    }

    @Test
    void theRpcSectionIsHandedOnAsWrittenWithItsPathForErrors() throws IOException {
        // Given a file with an rpc section membership does not interpret
        HyphaeConfig c = HyphaeConfig.load(fullFileWithTlsFiles(), Map.of("HYPHAE_SECRET", SECRET, "POD_IP", "10.0.0.1"));

        // When hyphae-rpc reads it as a section
        ConfigSection rpc = c.rpcSection();

        // Then its values are typed by the reader and its errors name the file and rpc.<key>
        assertThat(rpc.positiveDuration("default-timeout", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> rpc.integer("max-payload-size", 1, 1, 10))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(c.origin() + ": rpc.max-payload-size: ");
    }

    @Test
    void theBuilderMakesTheSameConfigAsTheFile() throws IOException {
        // Given the full file
        HyphaeConfig fromFile = HyphaeConfig.load(fullFileWithTlsFiles(), Map.of("HYPHAE_SECRET", SECRET, "POD_IP", "10.0.0.1"));

        // When the same settings are given to the builder
        HyphaeConfig built = HyphaeConfig.builder()
                .cluster(c -> c.name("orders").secret(SECRET))
                .node(n -> n.name("orders-1").bind("0.0.0.0:7950").advertise(new HostAndPort("10.0.0.1", 7950)))
                .tls(t -> t.cert(dir.resolve("node.pem")).key(dir.resolve("node.key")).trust(dir.resolve("ca.pem")))
                .transport(t -> t.connectTimeout(Duration.ofSeconds(2)).handshakeTimeout(Duration.ofSeconds(4))
                        .heartbeatInterval(Duration.ofMillis(500)).heartbeatTimeout(Duration.ofSeconds(3))
                        .reconnectWindow(Duration.ofSeconds(10)).reconnectInitialDelay(Duration.ofMillis(200))
                        .reconnectMaxDelay(Duration.ofSeconds(5)).maxFrameSize(2 << 20).sendQueueSize(8 << 20)
                        .backpressure("close-link").closeTimeout(Duration.ofSeconds(3)).linkIdleTimeout(Duration.ofSeconds(45)))
                .discovery("fixed", d -> d.set("seeds", List.of("10.0.0.2:7950", "10.0.0.3:7950")))
                .discovery("fixed", d -> d.set("seeds", List.of("10.0.0.9:7950")))
                .overlay(o -> o.activeViewSize(6).passiveViewSize(36).arwl(7).prwl(4).shuffleActive(2)
                        .shufflePassive(5).shuffleTtl(5).shuffleInterval(Duration.ofSeconds(15))
                        .neighborTimeout(Duration.ofSeconds(2)).promotionRounds(12))
                .broadcast(b -> b.graftTimeout(Duration.ofMillis(300)).graftRetryTimeout(Duration.ofMillis(150))
                        .ihaveInterval(Duration.ofMillis(20)).cacheSize(1000).cacheTtl(Duration.ofSeconds(20))
                        .maxLazyQueue(100).maxAnnouncementsPerIhave(50).maxMissing(200).optimizationThreshold(4)
                        .seenRetention(Duration.ofMinutes(5)))
                .directory(d -> d.suspicionTimeout(Duration.ofSeconds(8)).antiEntropyInterval(Duration.ofSeconds(3))
                        .probeInterval(Duration.ofSeconds(7)).maxSyncEntries(64).tombstoneRetention(Duration.ofHours(2)))
                .rpc(r -> r.set("default-timeout", "3s").set("max-payload-size", "64KiB").set("max-in-flight", 100))
                .metrics(m -> m.enabled(true).tag("zone", "eu-1"))
                .build();

        // Then both are equal
        assertThat(built).isEqualTo(fromFile);
        assertThat(built.origin()).isEqualTo("HyphaeConfig.builder()");
    }

    @Test
    void aLaptopNeedsOnlyDevModeAndGetsWorkingDefaults() throws IOException {
        // Given a file that only turns on insecure development mode
        Path file = write("cluster:\n  insecure-dev-mode: true\n");

        // When it is loaded
        HyphaeConfig c = HyphaeConfig.load(file, Map.of("HOSTNAME", "laptop"));

        // Then every other value is a default that runs on one machine: the components' presets,
        // with the transport's redial left to the overlay
        assertThat(c.nodeName()).isEqualTo("laptop-7946");
        TransportConfig t = c.transport();
        assertThat(t.clusterName()).isEqualTo("hyphae");
        assertThat(t.secret()).isEmpty();
        assertThat(t.insecureDevelopmentMode()).isTrue();
        assertThat(t.bindAddress()).isEqualTo(new HostAndPort("127.0.0.1", 7946));
        assertThat(t.advertisedAddress()).isEmpty();
        assertThat(t.tls()).isEmpty();
        assertThat(t.reconnectWindow()).isZero();
        TransportConfig lan = TransportConfig.lan("hyphae", ClusterSecret.of(SECRET), t.bindAddress());
        assertThat(t.heartbeatTimeout()).isEqualTo(lan.heartbeatTimeout());
        assertThat(t.wireLimits()).isEqualTo(lan.wireLimits());
        assertThat(c.discovery()).isEmpty();
        assertThat(c.overlay()).isEqualTo(HyParViewConfig.defaults());
        assertThat(c.broadcast()).isEqualTo(PlumtreeConfig.lan());
        assertThat(c.directory()).isEqualTo(DirectoryConfig.defaults());
        assertThat(c.rpc()).isEmpty();
        assertThat(c.metrics()).isEqualTo(MetricsConfig.DEFAULTS);
    }

    @Test
    void refusesSettingsTheComponentsRecordsRefuse() throws IOException {
        assertRefused(DEV + "broadcast:\n  cache-ttl: 100ms\n", "broadcast")
                .hasMessageContaining("cacheTtl");
    }

    @Test
    void refusesAHeartbeatTimeoutNotLongerThanTheInterval() throws IOException {
        assertRefused(DEV + "transport:\n  heartbeat-interval: 2s\n  heartbeat-timeout: 2s\n", "transport.heartbeat-timeout")
                .hasMessageContaining("expected a duration longer than heartbeat-interval");
    }

    /** Found by HyphaeConfigFuzzTest: Backoff's own IllegalArgumentException escaped the loader. */
    @Test
    void refusesAReconnectMaxDelayShorterThanTheInitialDelay() throws IOException {
        assertRefused(DEV + "transport:\n  reconnect-initial-delay: 2m\n  reconnect-max-delay: 5s\n", "transport.reconnect-max-delay")
                .hasMessageContaining("expected at least reconnect-initial-delay (PT2M), got PT5S");
    }

    /** Found by HyphaeConfigFuzzTest: Duration's ArithmeticException escaped the loader. */
    @Test
    void refusesADurationLongerThanADurationHolds() throws IOException {
        assertRefused(DEV + "transport:\n  connect-timeout: 9223372036854775807d\n", "transport.connect-timeout")
                .hasMessageContaining("expected a duration such as 500ms, 5s, 2m or PT5S, got '9223372036854775807d'");
        assertRefused(DEV + "transport:\n  connect-timeout: 99999999999999999999s\n", "transport.connect-timeout")
                .hasMessageContaining("expected a duration such as 500ms, 5s, 2m or PT5S");
    }

    @Test
    void refusesATlsPathThatIsNoPath() throws IOException {
        assertRefused(DEV + "tls:\n  cert: \"node\\0.pem\"\n", "tls.cert")
                .hasMessageContaining("expected the path of a PEM file");
    }

    @Test
    void substitutesVariablesWithDefaultsEmptyValuesAndEscapes() throws IOException {
        // Given a file using every form of substitution
        Path file = write("""
                cluster:
                  name: ${CLUSTER:-dev}-$${literal}
                  secret: ${HYPHAE_SECRET}
                node:
                  bind: 127.0.0.1:${PORT:-7000}
                  advertise: ${ADVERTISE:-}
                rpc:
                  max-in-flight: ${IN_FLIGHT}
                """);

        // When some variables are set and others not
        HyphaeConfig c = HyphaeConfig.load(file, Map.of("HYPHAE_SECRET", SECRET, "PORT", "7100", "IN_FLIGHT", "12", "ADVERTISE", ""));

        // Then set ones are used, unset ones take their default, an empty result counts as absent
        assertThat(c.transport().clusterName()).isEqualTo("dev-${literal}");
        assertThat(c.transport().bindAddress()).isEqualTo(new HostAndPort("127.0.0.1", 7100));
        assertThat(c.transport().advertisedAddress()).isEmpty();
        assertThat(c.rpc()).containsEntry("max-in-flight", "12");
    }

    @Test
    void refusesAVariableThatIsNotSet() throws IOException {
        assertRefused("cluster:\n  secret: ${HYPHAE_SECRET}\n", "cluster.secret")
                .hasMessageContaining("${HYPHAE_SECRET}, which is not set");
    }

    @Test
    void refusesAnUnknownKeyNamingTheNearestKnownOne() throws IOException {
        assertRefused(DEV + "overlay:\n  active-view-sise: 5\n", "overlay.active-view-sise")
                .hasMessageContaining("unknown key (did you mean 'active-view-size'?)");
    }

    @Test
    void refusesAnUnknownSectionNamingTheNearestKnownOne() throws IOException {
        assertRefused(DEV + "discovry: []\n", "discovry")
                .hasMessageContaining("did you mean 'discovery'?");
    }

    @Test
    void refusesAValueOfTheWrongType() throws IOException {
        assertRefused(DEV + "overlay:\n  active-view-size: five\n", "overlay.active-view-size")
                .hasMessageContaining("expected a whole number from 1 to 64, got 'five'");
    }

    @Test
    void refusesAMappingWhereAValueBelongs() throws IOException {
        assertRefused(DEV + "node:\n  name: {first: a}\n", "node.name")
                .hasMessageContaining("expected a string, got a mapping");
    }

    @Test
    void refusesABadDuration() throws IOException {
        assertRefused(DEV + "transport:\n  connect-timeout: 5 seconds\n", "transport.connect-timeout")
                .hasMessageContaining("expected a duration such as 500ms, 5s, 2m or PT5S, got '5 seconds'");
    }

    @Test
    void refusesABadSize() throws IOException {
        assertRefused(DEV + "transport:\n  max-frame-size: 1MB\n", "transport.max-frame-size")
                .hasMessageContaining("expected a size from 1024 to 268435456 bytes such as 65536, 64KiB or 1MiB, got '1MB'");
    }

    @Test
    void refusesABadAddress() throws IOException {
        assertRefused(DEV + "node:\n  bind: 127.0.0.1:http\n", "node.bind")
                .hasMessageContaining("expected a port number in '127.0.0.1:http'");
    }

    @Test
    void refusesAWildcardBindWithoutAnAdvertisedAddress() throws IOException {
        assertRefused(DEV + "node:\n  bind: 0.0.0.0:7946\n", "node.advertise")
                .hasMessageContaining("is required when bind is a wildcard address");
    }

    @Test
    void refusesAFileWithoutASecret() throws IOException {
        assertRefused("cluster:\n  name: orders\n", "cluster.secret")
                .hasMessageContaining("is required: expected a shared secret of at least 16 bytes")
                .hasMessageContaining("insecure-dev-mode: true");
    }

    @Test
    void refusesASecretTooShortToBeSafe() throws IOException {
        assertRefused("cluster:\n  secret: hunter2\n", "cluster.secret")
                .hasMessageContaining("expected at least 16 bytes of secret, got 7");
    }

    @Test
    void refusesAnUnknownStrategyListingTheKnownOnes() throws IOException {
        assertRefused(DEV + "discovery:\n  - strategy: fixed\n    seeds: [127.0.0.1:1]\n  - strategy: consul\n",
                "discovery[1].strategy")
                .hasMessageContaining("unknown strategy 'consul'; known here: fixed");
    }

    @Test
    void refusesADiscoveryEntryWithoutAStrategy() throws IOException {
        assertRefused(DEV + "discovery:\n  - seeds: [127.0.0.1:1]\n", "discovery[0].strategy")
                .hasMessageContaining("is required");
    }

    @Test
    void refusesAMissingTlsFile() throws IOException {
        assertRefused(DEV + "tls:\n  cert: missing.pem\n  key: missing.key\n  trust: ca.pem\n", "tls.cert")
                .hasMessageContaining("expected a readable PEM file");
    }

    @Test
    void refusesBadYamlSyntaxWithLineAndColumn() throws IOException {
        Path file = write("cluster:\n  name: orders\n  secret: [unclosed\nnode:\n  name: a\n");
        assertThatThrownBy(() -> HyphaeConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": line ")
                .hasMessageContaining("column")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void refusesAKeyWrittenTwice() throws IOException {
        Path file = write(DEV + "node:\n  name: a\n  name: b\n");
        assertThatThrownBy(() -> HyphaeConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": line 5")
                .hasMessageContaining("Duplicate field 'name'");
    }

    @Test
    void refusesATopLevelThatIsNotAMapping() throws IOException {
        Path file = write("- cluster\n- node\n");
        assertThatThrownBy(() -> HyphaeConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": expected a mapping with the sections cluster, node");
    }

    @Test
    void theBuilderRefusesWithTheKeyItWasGiven() {
        assertThatThrownBy(() -> HyphaeConfig.builder().cluster(c -> c.insecureDevMode(true))
                .overlay(o -> o.arwl(2).prwl(3)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("HyphaeConfig.builder(): overlay.prwl: expected at most arwl (2): a walk cannot land"
                        + " in passive views after it ended; got 3");
    }

    private static final String DEV = "cluster:\n  insecure-dev-mode: true\n";

    /** The message names the file, the key's path and what was expected. */
    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String yaml, String path) throws IOException {
        Path file = write(yaml);
        return assertThatThrownBy(() -> HyphaeConfig.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ": " + path + ": ")
                .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo(path));
    }

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("hyphae.yaml"), yaml);
    }

    private Path fullFileWithTlsFiles() throws IOException {
        for (String f : List.of("node.pem", "node.key", "ca.pem")) {
            Files.writeString(dir.resolve(f), "-----BEGIN PLACEHOLDER-----\n");
        }
        return write(FULL);
    }
}
