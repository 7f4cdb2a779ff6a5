package io.hyphae.membership.config;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import io.hyphae.membership.transport.TransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Everything that configures one node, as the components' own config records. The YAML file has
 * user-facing sections that map onto them (docs/configuration.md describes every key):
 *
 * <pre>
 * cluster:   { name, secret, insecure-dev-mode }           -> transport
 * node:      { name, bind, advertise }                     -> nodeName, transport
 * tls:       { enabled, cert, key, trust }                 -> transport.tls
 * transport: { connect-timeout, heartbeat-timeout, ... }   -> transport
 * discovery: [ { strategy: static|dns|kubernetes|gossip, ...its own keys }, ... ]
 * overlay:   { active-view-size, passive-view-size, arwl, prwl, ... }  -> HyParViewConfig
 * broadcast: { graft-timeout, ihave-interval, cache-size, ... }        -> PlumtreeConfig
 * directory: { suspicion-timeout, anti-entropy-interval, ... }         -> DirectoryConfig
 * rpc:       { ... }   kept as written; hyphae-rpc reads it ({@link #rpcSection()})
 * metrics:   { enabled, tags }
 * </pre>
 *
 * Load a file with {@link #load(Path)}, or build the same thing in code with {@link #builder()}.
 * {@code origin} says where the values came from (a file name), for error messages only: two
 * configs with the same settings are equal wherever they came from.
 *
 * @param nodeName this node's name in the directory and in logs
 * @param transport the links: cluster name and secret, addresses, TLS, timeouts, limits
 * @param discovery the strategies whose seeds are united
 * @param overlay HyParView's parameters
 * @param broadcast Plumtree's parameters
 * @param directory the member directory's parameters (failure detection)
 * @param rpc the {@code rpc} section as written (membership cannot know hyphae-rpc's keys)
 * @param metrics whether to register meters, and common tags
 */
public record HyphaeConfig(
        String nodeName,
        TransportConfig transport,
        List<DiscoveryConfig> discovery,
        HyParViewConfig overlay,
        PlumtreeConfig broadcast,
        DirectoryConfig directory,
        Map<String, Object> rpc,
        MetricsConfig metrics,
        String origin) {

    static final List<String> SECTIONS = List.of("cluster", "node", "tls", "transport", "discovery", "overlay",
            "broadcast", "directory", "rpc", "metrics");

    public HyphaeConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(transport, "transport");
        discovery = List.copyOf(discovery);
        Objects.requireNonNull(overlay, "overlay");
        Objects.requireNonNull(broadcast, "broadcast");
        Objects.requireNonNull(directory, "directory");
        rpc = DiscoveryConfig.frozen(rpc);
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
     * The {@code rpc} section as a {@link ConfigSection}, so hyphae-rpc reads its own keys with
     * errors that name this file and {@code rpc.<key>}, and refuses unknown keys itself.
     */
    public ConfigSection rpcSection() {
        return new ConfigSection(origin, "rpc", rpc);
    }

    /**
     * Reads the whole file's mapping. Relative TLS paths are taken from {@code baseDir}; every
     * {@code strategy:} must name a provider visible to {@code loader}.
     */
    static HyphaeConfig read(ConfigSection root, UnaryOperator<String> env, Path baseDir, ClassLoader loader) {
        ConfigSection node = root.section("node");
        HostAndPort bind = ConfigMapping.bind(node);
        TransportConfig transport = ConfigMapping.transport(root.section("cluster"), node, bind, root.section("tls"),
                root.section("transport"), baseDir);
        String nodeName = ConfigMapping.nodeName(node, env, bind);
        node.rejectUnknownKeys();
        List<DiscoveryConfig> discovery = new ArrayList<>();
        for (ConfigSection block : root.sections("discovery")) {
            DiscoveryStrategies.provider(block, loader);
            Map<String, Object> settings = new LinkedHashMap<>(block.values());
            settings.remove("strategy");
            discovery.add(new DiscoveryConfig(block.string("strategy"), settings));
        }
        HyParViewConfig overlay = ConfigMapping.overlay(root.section("overlay"));
        PlumtreeConfig broadcast = ConfigMapping.broadcast(root.section("broadcast"));
        DirectoryConfig directory = ConfigMapping.directory(root.section("directory"));
        Map<String, Object> rpc = root.section("rpc").values();
        MetricsConfig metrics = MetricsConfig.read(root.section("metrics"));
        root.rejectUnknownKeys();
        return new HyphaeConfig(nodeName, transport, discovery, overlay, broadcast, directory, rpc, metrics,
                root.source() == null ? "(no file)" : root.source());
    }

    /**
     * The class loader strategies are looked up in, when loading a file and when a node starts
     * them: the thread's, as an application server sets it, else hyphae's own.
     */
    public static ClassLoader defaultLoader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : HyphaeConfig.class.getClassLoader();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HyphaeConfig c
                && nodeName.equals(c.nodeName) && transport.equals(c.transport) && discovery.equals(c.discovery)
                && overlay.equals(c.overlay) && broadcast.equals(c.broadcast) && directory.equals(c.directory)
                && rpc.equals(c.rpc) && metrics.equals(c.metrics);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeName, transport, discovery, overlay, broadcast, directory, rpc, metrics);
    }
}
