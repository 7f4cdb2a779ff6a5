package io.hyphae.membership.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
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
              idle-timeout: 3s
              max-frame-size: 2MiB
              send-queue-limit: 1000
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
              shuffle-interval: 15s
              shuffle-active: 2
              shuffle-passive: 5
              ihave-timeout: 1s
              graft-timeout: 300ms
              lazy-push-interval: 50ms
              message-history: 2m
              down-after: 20s
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

        // Then every section holds what the file says
        assertThat(c.cluster()).isEqualTo(new ClusterConfig("orders", Optional.of(ClusterSecret.of(SECRET)), false));
        assertThat(c.node()).isEqualTo(new NodeConfig("orders-1", new HostAndPort("0.0.0.0", 7950),
                Optional.of(new HostAndPort("10.0.0.1", 7950))));
        assertThat(c.tls()).contains(new TlsConfig(dir.resolve("node.pem"), dir.resolve("node.key"), dir.resolve("ca.pem")));
        assertThat(c.transport()).isEqualTo(new TransportConfig(Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofMillis(500), Duration.ofSeconds(3), 2 << 20, 1000));
        assertThat(c.discovery()).containsExactly(
                new DiscoveryConfig("fixed", Map.of("seeds", List.of("10.0.0.2:7950", "10.0.0.3:7950"))),
                new DiscoveryConfig("fixed", Map.of("seeds", List.of("10.0.0.9:7950"))));
        assertThat(c.overlay()).isEqualTo(new OverlayConfig(6, 36, 7, 4, Duration.ofSeconds(15), 2, 5,
                Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofMillis(50), Duration.ofMinutes(2),
                Duration.ofSeconds(20)));
        assertThat(c.rpc()).isEqualTo(new RpcConfig(Duration.ofSeconds(3), 64 << 10, 100));
        assertThat(c.metrics()).isEqualTo(new MetricsConfig(true, Map.of("zone", "eu-1")));
        assertThat(c.origin()).isEqualTo(file.toString());
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
                        .heartbeatInterval(Duration.ofMillis(500)).idleTimeout(Duration.ofSeconds(3))
                        .maxFrameSize(2 << 20).sendQueueLimit(1000))
                .discovery("fixed", d -> d.set("seeds", List.of("10.0.0.2:7950", "10.0.0.3:7950")))
                .discovery("fixed", d -> d.set("seeds", List.of("10.0.0.9:7950")))
                .overlay(o -> o.activeViewSize(6).passiveViewSize(36).arwl(7).prwl(4)
                        .shuffleInterval(Duration.ofSeconds(15)).shuffleActive(2).shufflePassive(5)
                        .ihaveTimeout(Duration.ofSeconds(1)).graftTimeout(Duration.ofMillis(300))
                        .lazyPushInterval(Duration.ofMillis(50)).messageHistory(Duration.ofMinutes(2))
                        .downAfter(Duration.ofSeconds(20)))
                .rpc(r -> r.defaultTimeout(Duration.ofSeconds(3)).maxPayloadSize(64 << 10).maxInFlight(100))
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

        // Then every other value is a default that runs on one machine
        assertThat(c.cluster()).isEqualTo(new ClusterConfig("hyphae", Optional.empty(), true));
        assertThat(c.node()).isEqualTo(new NodeConfig("laptop-7946", new HostAndPort("127.0.0.1", 7946), Optional.empty()));
        assertThat(c.tls()).isEmpty();
        assertThat(c.transport()).isEqualTo(TransportConfig.DEFAULTS);
        assertThat(c.discovery()).isEmpty();
        assertThat(c.overlay()).isEqualTo(OverlayConfig.DEFAULTS);
        assertThat(c.rpc()).isEqualTo(RpcConfig.DEFAULTS);
        assertThat(c.metrics()).isEqualTo(MetricsConfig.DEFAULTS);
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
        assertThat(c.cluster().name()).isEqualTo("dev-${literal}");
        assertThat(c.node().bind()).isEqualTo(new HostAndPort("127.0.0.1", 7100));
        assertThat(c.node().advertise()).isEmpty();
        assertThat(c.rpc().maxInFlight()).isEqualTo(12);
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
