package io.hyphae.membership.config;

import io.hyphae.membership.HostAndPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Builds a {@link HyphaeConfig} in code, one method per key of the file, grouped the same way:
 *
 * <pre>
 * HyphaeConfig config = HyphaeConfig.builder()
 *         .cluster(c -&gt; c.name("orders").secret(System.getenv("HYPHAE_SECRET")))
 *         .node(n -&gt; n.name("orders-1").bind("0.0.0.0:7946").advertise("10.0.0.5:7946"))
 *         .discovery("dns", d -&gt; d.set("name", "orders.svc.cluster.local").set("port", 7946))
 *         .overlay(o -&gt; o.activeViewSize(6))
 *         .build();
 * </pre>
 *
 * The builder writes the same tree a file would hold and reads it with the same code, so its
 * defaults and checks are exactly the file's, and a mistake throws the same
 * {@link ConfigException} naming the key.
 */
public final class HyphaeConfigBuilder {

    private final Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
    private final List<Map<String, Object>> discovery = new ArrayList<>();
    private String origin = "HyphaeConfig.builder()";

    HyphaeConfigBuilder() {
    }

    public HyphaeConfigBuilder cluster(Consumer<Cluster> settings) {
        settings.accept(new Cluster(section("cluster")));
        return this;
    }

    public HyphaeConfigBuilder node(Consumer<Node> settings) {
        settings.accept(new Node(section("node")));
        return this;
    }

    public HyphaeConfigBuilder tls(Consumer<Tls> settings) {
        settings.accept(new Tls(section("tls")));
        return this;
    }

    public HyphaeConfigBuilder transport(Consumer<Transport> settings) {
        settings.accept(new Transport(section("transport")));
        return this;
    }

    /** Adds one entry to the {@code discovery} list; several run at once and their seeds are united. */
    public HyphaeConfigBuilder discovery(String strategy, Consumer<Strategy> settings) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("strategy", strategy);
        settings.accept(new Strategy(block));
        discovery.add(block);
        return this;
    }

    public HyphaeConfigBuilder overlay(Consumer<Overlay> settings) {
        settings.accept(new Overlay(section("overlay")));
        return this;
    }

    public HyphaeConfigBuilder broadcast(Consumer<Broadcast> settings) {
        settings.accept(new Broadcast(section("broadcast")));
        return this;
    }

    public HyphaeConfigBuilder directory(Consumer<Directory> settings) {
        settings.accept(new Directory(section("directory")));
        return this;
    }

    public HyphaeConfigBuilder rpc(Consumer<Rpc> settings) {
        settings.accept(new Rpc(section("rpc")));
        return this;
    }

    public HyphaeConfigBuilder metrics(Consumer<Metrics> settings) {
        settings.accept(new Metrics(section("metrics")));
        return this;
    }

    /** Where these settings come from, named in error messages (default {@code HyphaeConfig.builder()}). */
    public HyphaeConfigBuilder origin(String origin) {
        this.origin = origin;
        return this;
    }

    /**
     * @throws ConfigException naming the key, for any bad or missing value
     */
    public HyphaeConfig build() {
        return build(System::getenv);
    }

    HyphaeConfig build(UnaryOperator<String> env) {
        Map<String, Object> tree = new LinkedHashMap<>(sections);
        if (!discovery.isEmpty()) {
            tree.put("discovery", discovery);
        }
        // Relative TLS paths are taken from the working directory, as Path would.
        return HyphaeConfig.read(new ConfigSection(origin, "", tree), env, Path.of(""), HyphaeConfig.defaultLoader());
    }

    private Map<String, Object> section(String name) {
        return sections.computeIfAbsent(name, k -> new LinkedHashMap<>());
    }

    /** Writes one key the way the file would hold it. */
    abstract static class Section<S extends Section<S>> {
        final Map<String, Object> values;

        Section(Map<String, Object> values) {
            this.values = values;
        }

        @SuppressWarnings("unchecked")
        S put(String key, Object value) {
            values.put(key, value instanceof Duration d ? d.toString() : value);
            return (S) this;
        }
    }

    /** {@code cluster:} — the cluster name and secret of the transport's handshake. */
    public static final class Cluster extends Section<Cluster> {
        Cluster(Map<String, Object> values) {
            super(values);
        }

        public Cluster name(String name) {
            return put("name", name);
        }

        public Cluster secret(String secret) {
            return put("secret", secret);
        }

        public Cluster insecureDevMode(boolean on) {
            return put("insecure-dev-mode", on);
        }
    }

    /** {@code node:} — this node's name and addresses. */
    public static final class Node extends Section<Node> {
        Node(Map<String, Object> values) {
            super(values);
        }

        public Node name(String name) {
            return put("name", name);
        }

        /** {@code host:port}, {@code [v6]:port}, or a bare host (port 7946). */
        public Node bind(String address) {
            return put("bind", address);
        }

        public Node bind(HostAndPort address) {
            return put("bind", address.toString());
        }

        public Node advertise(String address) {
            return put("advertise", address);
        }

        public Node advertise(HostAndPort address) {
            return put("advertise", address.toString());
        }
    }

    /** {@code tls:} — mapped onto {@link io.hyphae.membership.transport.TlsConfig}. */
    public static final class Tls extends Section<Tls> {
        Tls(Map<String, Object> values) {
            super(values);
        }

        public Tls enabled(boolean on) {
            return put("enabled", on);
        }

        public Tls cert(Path pem) {
            return put("cert", pem.toString());
        }

        public Tls key(Path pem) {
            return put("key", pem.toString());
        }

        public Tls trust(Path pem) {
            return put("trust", pem.toString());
        }
    }

    /** {@code transport:} — mapped onto {@link io.hyphae.membership.transport.TransportConfig}. */
    public static final class Transport extends Section<Transport> {
        Transport(Map<String, Object> values) {
            super(values);
        }

        public Transport connectTimeout(Duration d) {
            return put("connect-timeout", d);
        }

        public Transport handshakeTimeout(Duration d) {
            return put("handshake-timeout", d);
        }

        public Transport heartbeatInterval(Duration d) {
            return put("heartbeat-interval", d);
        }

        public Transport heartbeatTimeout(Duration d) {
            return put("heartbeat-timeout", d);
        }

        public Transport reconnectWindow(Duration d) {
            return put("reconnect-window", d);
        }

        public Transport reconnectInitialDelay(Duration d) {
            return put("reconnect-initial-delay", d);
        }

        public Transport reconnectMaxDelay(Duration d) {
            return put("reconnect-max-delay", d);
        }

        public Transport maxFrameSize(int bytes) {
            return put("max-frame-size", bytes);
        }

        public Transport sendQueueSize(int bytes) {
            return put("send-queue-size", bytes);
        }

        /** {@code drop} or {@code close-link}. */
        public Transport backpressure(String policy) {
            return put("backpressure", policy);
        }

        public Transport closeTimeout(Duration d) {
            return put("close-timeout", d);
        }

        public Transport linkIdleTimeout(Duration d) {
            return put("link-idle-timeout", d);
        }
    }

    /**
     * One {@code discovery:} entry. Its keys belong to the strategy (see its documentation), so
     * they are set by name, with the values the file would hold.
     */
    public static final class Strategy extends Section<Strategy> {
        Strategy(Map<String, Object> values) {
            super(values);
        }

        public Strategy set(String key, Object value) {
            return put(key, value);
        }
    }

    /** {@code overlay:} — mapped onto {@link io.hyphae.membership.overlay.HyParViewConfig}. */
    public static final class Overlay extends Section<Overlay> {
        Overlay(Map<String, Object> values) {
            super(values);
        }

        public Overlay activeViewSize(int n) {
            return put("active-view-size", n);
        }

        public Overlay passiveViewSize(int n) {
            return put("passive-view-size", n);
        }

        public Overlay arwl(int hops) {
            return put("arwl", hops);
        }

        public Overlay prwl(int hops) {
            return put("prwl", hops);
        }

        public Overlay shuffleActive(int n) {
            return put("shuffle-active", n);
        }

        public Overlay shufflePassive(int n) {
            return put("shuffle-passive", n);
        }

        public Overlay shuffleTtl(int hops) {
            return put("shuffle-ttl", hops);
        }

        public Overlay shuffleInterval(Duration d) {
            return put("shuffle-interval", d);
        }

        public Overlay neighborTimeout(Duration d) {
            return put("neighbor-timeout", d);
        }

        public Overlay promotionRounds(int rounds) {
            return put("promotion-rounds", rounds);
        }
    }

    /** {@code broadcast:} — mapped onto {@link io.hyphae.membership.plumtree.PlumtreeConfig}. */
    public static final class Broadcast extends Section<Broadcast> {
        Broadcast(Map<String, Object> values) {
            super(values);
        }

        public Broadcast graftTimeout(Duration d) {
            return put("graft-timeout", d);
        }

        public Broadcast graftRetryTimeout(Duration d) {
            return put("graft-retry-timeout", d);
        }

        public Broadcast ihaveInterval(Duration d) {
            return put("ihave-interval", d);
        }

        public Broadcast cacheSize(int messages) {
            return put("cache-size", messages);
        }

        public Broadcast cacheTtl(Duration d) {
            return put("cache-ttl", d);
        }

        public Broadcast maxLazyQueue(int n) {
            return put("max-lazy-queue", n);
        }

        public Broadcast maxAnnouncementsPerIhave(int n) {
            return put("max-announcements-per-ihave", n);
        }

        public Broadcast maxMissing(int n) {
            return put("max-missing", n);
        }

        public Broadcast optimizationThreshold(int hops) {
            return put("optimization-threshold", hops);
        }

        public Broadcast seenRetention(Duration d) {
            return put("seen-retention", d);
        }
    }

    /** {@code directory:} — mapped onto {@link io.hyphae.membership.directory.DirectoryConfig}. */
    public static final class Directory extends Section<Directory> {
        Directory(Map<String, Object> values) {
            super(values);
        }

        public Directory suspicionTimeout(Duration d) {
            return put("suspicion-timeout", d);
        }

        public Directory antiEntropyInterval(Duration d) {
            return put("anti-entropy-interval", d);
        }

        public Directory probeInterval(Duration d) {
            return put("probe-interval", d);
        }

        public Directory maxSyncEntries(int n) {
            return put("max-sync-entries", n);
        }

        public Directory tombstoneRetention(Duration d) {
            return put("tombstone-retention", d);
        }
    }

    /** {@code rpc:} — its keys belong to hyphae-rpc (see its RpcConfig), so they are set by name. */
    public static final class Rpc extends Section<Rpc> {
        Rpc(Map<String, Object> values) {
            super(values);
        }

        public Rpc set(String key, Object value) {
            return put(key, value);
        }
    }

    /** {@code metrics:} — see {@link MetricsConfig}. */
    public static final class Metrics extends Section<Metrics> {
        Metrics(Map<String, Object> values) {
            super(values);
        }

        public Metrics enabled(boolean on) {
            return put("enabled", on);
        }

        @SuppressWarnings("unchecked") // only this method writes "tags", always as such a map
        public Metrics tag(String key, String value) {
            ((Map<String, Object>) values.computeIfAbsent("tags", k -> new LinkedHashMap<String, Object>())).put(key, value);
            return this;
        }
    }
}
