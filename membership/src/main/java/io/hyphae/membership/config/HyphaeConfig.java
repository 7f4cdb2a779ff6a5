package io.hyphae.membership.config;

import io.hyphae.membership.discovery.DiscoveryStrategies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Everything that configures one node, one record per section of the YAML file:
 *
 * <pre>
 * cluster:   { name, secret, insecure-dev-mode }
 * node:      { name, bind, advertise }
 * tls:       { enabled, cert, key, trust }
 * transport: { connect-timeout, handshake-timeout, heartbeat-interval, idle-timeout, max-frame-size, send-queue-limit }
 * discovery: [ { strategy: static|dns|kubernetes|gossip, ...its own keys }, ... ]
 * overlay:   { active-view-size, passive-view-size, arwl, prwl, shuffle-interval, ... }
 * rpc:       { default-timeout, max-payload-size, max-in-flight }
 * metrics:   { enabled, tags }
 * </pre>
 *
 * Load a file with {@link #load(Path)}, or build the same thing in code with {@link #builder()};
 * docs/configuration.md describes every key. {@code origin} says where the values came from (a
 * file name), for error messages only: two configs with the same settings are equal wherever
 * they came from.
 */
public record HyphaeConfig(
        ClusterConfig cluster,
        NodeConfig node,
        Optional<TlsConfig> tls,
        TransportConfig transport,
        List<DiscoveryConfig> discovery,
        OverlayConfig overlay,
        RpcConfig rpc,
        MetricsConfig metrics,
        String origin) {

    static final List<String> SECTIONS = List.of("cluster", "node", "tls", "transport", "discovery", "overlay", "rpc", "metrics");

    public HyphaeConfig {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(transport, "transport");
        discovery = List.copyOf(discovery);
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(rpc, "rpc");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * Reads a config file, substituting {@code ${VAR}} from the process environment.
     *
     * @throws ConfigException naming the file, the key's path and what was expected
     */
    public static HyphaeConfig load(Path file) {
        return ConfigFile.load(file, System::getenv);
    }

    /** As {@link #load(Path)}, with the environment given as a map. */
    public static HyphaeConfig load(Path file, Map<String, String> environment) {
        return ConfigFile.load(file, environment::get);
    }

    /** A builder whose methods map one to one onto the file's sections and keys. */
    public static HyphaeConfigBuilder builder() {
        return new HyphaeConfigBuilder();
    }

    /**
     * Reads the whole file's mapping. Relative TLS paths are taken from {@code baseDir}; every
     * {@code strategy:} must name a provider visible to {@code loader}.
     */
    static HyphaeConfig read(ConfigSection root, UnaryOperator<String> env, Path baseDir, ClassLoader loader) {
        ClusterConfig cluster = ClusterConfig.read(root.section("cluster"));
        NodeConfig node = NodeConfig.read(root.section("node"), env);
        Optional<TlsConfig> tls = TlsConfig.read(root.section("tls"), baseDir);
        TransportConfig transport = TransportConfig.read(root.section("transport"));
        List<DiscoveryConfig> discovery = new ArrayList<>();
        for (ConfigSection block : root.sections("discovery")) {
            DiscoveryStrategies.provider(block, loader);
            Map<String, Object> settings = new LinkedHashMap<>(block.values());
            settings.remove("strategy");
            discovery.add(new DiscoveryConfig(block.string("strategy"), settings));
        }
        OverlayConfig overlay = OverlayConfig.read(root.section("overlay"));
        RpcConfig rpc = RpcConfig.read(root.section("rpc"));
        MetricsConfig metrics = MetricsConfig.read(root.section("metrics"));
        root.rejectUnknownKeys();
        return new HyphaeConfig(cluster, node, tls, transport, discovery, overlay, rpc, metrics,
                root.source() == null ? "(no file)" : root.source());
    }

    /** The class loader strategies are looked up in: the thread's, as an application server sets it. */
    static ClassLoader defaultLoader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : HyphaeConfig.class.getClassLoader();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HyphaeConfig c
                && cluster.equals(c.cluster) && node.equals(c.node) && tls.equals(c.tls)
                && transport.equals(c.transport) && discovery.equals(c.discovery) && overlay.equals(c.overlay)
                && rpc.equals(c.rpc) && metrics.equals(c.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cluster, node, tls, transport, discovery, overlay, rpc, metrics);
    }
}
