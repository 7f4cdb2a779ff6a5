package io.hyphae.membership.config;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.transport.BackpressurePolicy;
import io.hyphae.membership.transport.TlsConfig;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.membership.wire.WireLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The one place where the file's user-facing keys become the components' own config records:
 * {@code cluster}, {@code node}, {@code tls} and {@code transport} make a {@link TransportConfig};
 * {@code overlay} a {@link HyParViewConfig}, {@code broadcast} a {@link PlumtreeConfig},
 * {@code directory} a {@link DirectoryConfig}. Every default is the component's own preset, so
 * a default changes in one place; docs/configuration.md lists them.
 */
final class ConfigMapping {

    /** Loopback, so a laptop default never exposes the port to the network. */
    static final int DEFAULT_PORT = 7946;
    static final String DEFAULT_CLUSTER_NAME = "hyphae";

    /**
     * The transport's defaults: {@link TransportConfig#lan}, except that a broken link is not
     * redialled by the transport, because HyParView repairs its active view itself (see
     * docs/node.md). The secret is a placeholder the mapping always replaces.
     */
    private static final TransportConfig TRANSPORT_DEFAULTS = TransportConfig.lan(DEFAULT_CLUSTER_NAME,
                    ClusterSecret.of("placeholder-replaced-by-the-mapping"), new HostAndPort("127.0.0.1", DEFAULT_PORT))
            .toBuilder().reconnectWindow(Duration.ZERO).build();

    private ConfigMapping() {
    }

    /** The node's name: {@code node.name}, else the host name and the bind port. */
    static String nodeName(ConfigSection node, UnaryOperator<String> env, HostAndPort bind) {
        String name = node.optionalString("name").orElseGet(() -> defaultName(env, bind));
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > NodeId.MAX_NAME_BYTES) {
            throw node.error("name", "expected a name of 1 to " + NodeId.MAX_NAME_BYTES + " UTF-8 bytes, got " + bytes);
        }
        return name;
    }

    static HostAndPort bind(ConfigSection node) {
        return node.has("bind") ? node.hostAndPort("bind", DEFAULT_PORT) : new HostAndPort("127.0.0.1", DEFAULT_PORT);
    }

    /** {@code cluster}, {@code node} (addresses), {@code tls} and {@code transport}. */
    static TransportConfig transport(ConfigSection cluster, ConfigSection node, HostAndPort bind, ConfigSection tls,
                                     ConfigSection transport, Path baseDir) {
        TransportConfig d = TRANSPORT_DEFAULTS;
        String clusterName = cluster.string("name", DEFAULT_CLUSTER_NAME);
        int nameBytes = clusterName.getBytes(StandardCharsets.UTF_8).length;
        if (clusterName.isBlank() || nameBytes > TransportConfig.MAX_CLUSTER_NAME_BYTES) {
            throw cluster.error("name", "expected a non-blank cluster name of at most "
                    + TransportConfig.MAX_CLUSTER_NAME_BYTES + " UTF-8 bytes");
        }
        boolean dev = cluster.bool("insecure-dev-mode", false);
        Optional<ClusterSecret> secret = cluster.optionalString("secret").map(text -> {
            try {
                return ClusterSecret.of(text);
            } catch (IllegalArgumentException e) {
                throw cluster.error("secret", "expected at least " + ClusterSecret.MIN_BYTES + " bytes of secret, got "
                        + text.getBytes(StandardCharsets.UTF_8).length + " (generate one with: openssl rand -base64 32)");
            }
        });
        if (secret.isEmpty() && !dev) {
            throw cluster.error("secret", "is required: expected a shared secret of at least " + ClusterSecret.MIN_BYTES
                    + " bytes (for example secret: ${HYPHAE_SECRET}); or set cluster.insecure-dev-mode: true"
                    + " to run without one on a laptop");
        }
        cluster.rejectUnknownKeys();

        Optional<HostAndPort> advertise = node.has("advertise")
                ? Optional.of(node.hostAndPort("advertise", bind.port())) : Optional.empty();
        if (advertise.isEmpty() && isWildcard(bind.host())) {
            throw node.error("advertise", "is required when bind is a wildcard address (" + bind + "): expected the"
                    + " host:port peers dial, for example advertise: ${POD_IP}:" + bind.port());
        }
        if (advertise.isPresent() && (advertise.get().port() == 0 || isWildcard(advertise.get().host()))) {
            throw node.error("advertise", "expected an address peers can dial (no wildcard host, no port 0), got "
                    + advertise.get());
        }

        Duration heartbeat = transport.positiveDuration("heartbeat-interval", d.heartbeatInterval());
        Duration heartbeatTimeout = transport.positiveDuration("heartbeat-timeout", d.heartbeatTimeout());
        if (heartbeatTimeout.compareTo(heartbeat) <= 0) {
            throw transport.error("heartbeat-timeout", "expected a duration longer than heartbeat-interval (" + heartbeat
                    + "), or every quiet link would be closed; got " + heartbeatTimeout);
        }
        int maxFrame = transport.bytes("max-frame-size", d.wireLimits().maxFrameBytes(), 1024, 256 << 20);
        WireLimits limits = new WireLimits(maxFrame, Math.min(d.wireLimits().maxStringBytes(), maxFrame),
                d.wireLimits().maxCollectionSize());
        int queue = transport.bytes("send-queue-size", Math.max(d.outboundQueueBytes(), maxFrame), 1024, Integer.MAX_VALUE);
        if (queue < maxFrame) {
            throw transport.error("send-queue-size", "expected at least max-frame-size (" + maxFrame
                    + " bytes), or the largest message could never be queued; got " + queue);
        }
        Duration reconnectInitial = transport.positiveDuration("reconnect-initial-delay", d.reconnectBackoff().initial());
        Duration reconnectMax = transport.positiveDuration("reconnect-max-delay", d.reconnectBackoff().max());
        if (reconnectMax.compareTo(reconnectInitial) < 0) {
            throw transport.error("reconnect-max-delay", "expected at least reconnect-initial-delay (" + reconnectInitial
                    + "), got " + reconnectMax);
        }
        // Any other cross-field check of the records becomes an error naming this section.
        TransportConfig config = checked(transport, () -> d.toBuilder()
                .clusterName(clusterName)
                .bindAddress(bind)
                .advertisedAddress(advertise)
                .secret(secret)
                .insecureDevelopmentMode(dev)
                .tls(tls(tls, baseDir))
                .wireLimits(limits)
                .connectTimeout(transport.positiveDuration("connect-timeout", d.connectTimeout()))
                .handshakeTimeout(transport.positiveDuration("handshake-timeout", d.handshakeTimeout()))
                .heartbeatInterval(heartbeat)
                .heartbeatTimeout(heartbeatTimeout)
                .reconnectWindow(transport.duration("reconnect-window", d.reconnectWindow()))
                .reconnectBackoff(new Backoff(reconnectInitial, reconnectMax, d.reconnectBackoff().multiplier()))
                .outboundQueueBytes(queue)
                .backpressurePolicy(backpressure(transport, d.backpressurePolicy()))
                .closeTimeout(transport.positiveDuration("close-timeout", d.closeTimeout()))
                .linkIdleTimeout(transport.positiveDuration("link-idle-timeout", d.linkIdleTimeout()))
                .build());
        transport.rejectUnknownKeys();
        return config;
    }

    private static BackpressurePolicy backpressure(ConfigSection s, BackpressurePolicy defaultValue) {
        String text = s.string("backpressure", defaultValue.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        for (BackpressurePolicy p : BackpressurePolicy.values()) {
            if (p.name().replace('_', '-').equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw s.error("backpressure", "expected drop or close-link, got '" + text + "'");
    }

    /** {@code tls}: present and {@code enabled} (the default once the section is written) means mutual TLS. */
    private static Optional<TlsConfig> tls(ConfigSection s, Path baseDir) {
        boolean enabled = s.bool("enabled", !s.keys().isEmpty());
        Optional<Path> cert = pem(s, "cert", baseDir, enabled);
        Optional<Path> key = pem(s, "key", baseDir, enabled);
        Optional<Path> trust = pem(s, "trust", baseDir, enabled);
        s.rejectUnknownKeys();
        return enabled ? Optional.of(new TlsConfig(cert.orElseThrow(), key.orElseThrow(), trust.orElseThrow())) : Optional.empty();
    }

    /** A PEM file, relative paths taken from the config file's folder; checked only when TLS is on. */
    private static Optional<Path> pem(ConfigSection s, String name, Path baseDir, boolean required) {
        Optional<Path> path = s.optionalString(name).map(p -> {
            try {
                return baseDir.resolve(p).normalize();
            } catch (InvalidPathException e) {
                throw s.error(name, "expected the path of a PEM file, got '" + p + "': " + e.getReason());
            }
        });
        if (!required) {
            return path;
        }
        if (path.isEmpty()) {
            throw s.error(name, "is required when TLS is enabled (expected the path of a PEM file)");
        }
        if (!Files.isReadable(path.get())) {
            throw s.error(name, "expected a readable PEM file, but " + path.get() + " does not exist or cannot be read");
        }
        return path;
    }

    /** {@code overlay}: HyParView, keys named as in the paper. */
    static HyParViewConfig overlay(ConfigSection s) {
        HyParViewConfig d = HyParViewConfig.defaults();
        int active = s.integer("active-view-size", d.activeViewSize(), 1, 64);
        int passive = s.integer("passive-view-size", d.passiveViewSize(), 1, 1024);
        int arwl = s.integer("arwl", d.activeRandomWalkLength(), 1, 32);
        int prwl = s.integer("prwl", d.passiveRandomWalkLength(), 0, 32);
        if (prwl > arwl) {
            throw s.error("prwl", "expected at most arwl (" + arwl + "): a walk cannot land in passive views after it ended; got " + prwl);
        }
        int ka = s.integer("shuffle-active", d.shuffleActive(), 0, 64);
        if (ka > active) {
            throw s.error("shuffle-active", "expected at most active-view-size (" + active + "), got " + ka);
        }
        int kp = s.integer("shuffle-passive", d.shufflePassive(), 0, 1024);
        if (kp > passive) {
            throw s.error("shuffle-passive", "expected at most passive-view-size (" + passive + "), got " + kp);
        }
        HyParViewConfig c = checked(s, () -> new HyParViewConfig(active, passive, arwl, prwl, ka, kp,
                s.integer("shuffle-ttl", d.shuffleTtl(), 0, 32),
                s.positiveDuration("shuffle-interval", d.shuffleInterval()),
                s.positiveDuration("neighbor-timeout", d.neighborTimeout()),
                s.integer("promotion-rounds", d.promotionRounds(), 0, 1 << 20)));
        s.rejectUnknownKeys();
        return c;
    }

    /** {@code broadcast}: Plumtree. */
    static PlumtreeConfig broadcast(ConfigSection s) {
        PlumtreeConfig d = PlumtreeConfig.lan();
        PlumtreeConfig c = checked(s, () -> new PlumtreeConfig(
                s.positiveDuration("graft-timeout", d.graftTimeout()),
                s.positiveDuration("graft-retry-timeout", d.graftRetryTimeout()),
                s.duration("ihave-interval", d.ihaveInterval()),
                s.integer("cache-size", d.cacheSize(), 1, 1 << 24),
                s.positiveDuration("cache-ttl", d.cacheTtl()),
                s.integer("max-lazy-queue", d.maxLazyQueue(), 1, 1 << 24),
                s.integer("max-announcements-per-ihave", d.maxAnnouncementsPerIHave(), 1, 1 << 16),
                s.integer("max-missing", d.maxMissing(), 1, 1 << 24),
                s.integer("optimization-threshold", d.optimizationThreshold(), 0, 64),
                s.positiveDuration("seen-retention", d.seenRetention())));
        s.rejectUnknownKeys();
        return c;
    }

    /** {@code directory}: the member directory and its failure detection. */
    static DirectoryConfig directory(ConfigSection s) {
        DirectoryConfig d = DirectoryConfig.defaults();
        DirectoryConfig c = checked(s, () -> new DirectoryConfig(
                s.positiveDuration("suspicion-timeout", d.suspicionTimeout()),
                s.positiveDuration("anti-entropy-interval", d.antiEntropyInterval()),
                s.positiveDuration("probe-interval", d.probeInterval()),
                s.integer("max-sync-entries", d.maxSyncEntries(), 1, 1 << 16),
                s.positiveDuration("tombstone-retention", d.tombstoneRetention())));
        s.rejectUnknownKeys();
        return c;
    }

    /** Builds a record, turning its cross-field check into an error that names the section. */
    private static <T> T checked(ConfigSection s, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.source(), s.path(), e.getMessage());
        }
    }

    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static String defaultName(UnaryOperator<String> env, HostAndPort bind) {
        String host = env.apply("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return host + "-" + bind.port();
    }
}
