package io.hyphae.membership.transport;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.wire.WireLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link Transport} needs, immutable. Start from a preset ({@link #local},
 * {@link #lan}) and change single fields with {@link #toBuilder()}; the YAML keys of the config
 * file are the field names.
 *
 * @param clusterName sent in every handshake; a node of another cluster is refused even if it
 *     holds the same secret, so two clusters can share a network without merging.
 * @param bindAddress host and port to listen on; port 0 takes a free port (tests, many nodes in
 *     one JVM), a fixed port lets peers find this node from a static list.
 * @param advertisedAddress the address peers should dial, when it differs from the bound one
 *     (NAT, containers, binding 0.0.0.0); empty means the bind host and the bound port.
 * @param secret the cluster secret every handshake proves knowledge of; empty is refused unless
 *     {@code insecureDevelopmentMode} is set.
 * @param insecureDevelopmentMode accept peers without checking they hold a secret. Saves setting
 *     one up on a laptop, at the price of letting anyone who can reach the port join.
 * @param tls mutual TLS under the handshake: encrypts traffic and keeps nodes without a
 *     certificate from the trusted CA out, at the price of CPU and certificate management.
 * @param wireLimits the largest frame, string and collection accepted; larger allows bigger
 *     payloads, smaller bounds what one peer can make this node buffer.
 * @param connectTimeout how long a TCP connect may take; shorter gives up sooner on a dead
 *     address, longer tolerates a slow network.
 * @param handshakeTimeout how long a new connection (TLS included) has to finish its handshake;
 *     shorter frees sockets held by stalled or hostile peers sooner, longer tolerates slow links.
 * @param heartbeatInterval how long a link may stay silent before this node sends a heartbeat;
 *     shorter detects failures sooner, at the cost of a few bytes per interval per link.
 * @param heartbeatTimeout how long without any byte from a peer before its link is declared
 *     dead ({@link LinkDownReason#HEARTBEAT_TIMEOUT}); shorter detects a frozen process or cut
 *     cable sooner, longer survives GC pauses and congestion without false alarms. Must exceed
 *     {@code heartbeatInterval}.
 * @param reconnectBackoff delays between redials of a lost link, and how long an address whose
 *     dials failed is held before anyone may dial it again (a dial asked for sooner fails at once
 *     with {@link DialBackoffException}); the jitter keeps many nodes that lost the same peer from
 *     redialling in lockstep. Shorter finds a peer that came back sooner; longer spends less on
 *     an address that stays dead.
 * @param reconnectWindow how long to keep redialling a link that broke (not one closed on
 *     purpose); zero leaves reconnecting to the protocol above, longer rides out a peer restart.
 * @param outboundQueueBytes bytes a link may hold queued but not yet written to its socket;
 *     larger absorbs bursts to a slow peer, smaller bounds the memory one stuck peer can pin.
 * @param backpressurePolicy what a send does when the queue is full (drop, or close the link).
 * @param closeTimeout how long a closing link waits for the peer's goodbye (both sides flush
 *     before the socket closes) and {@link Transport#close()} for every link, before closing the
 *     sockets anyway; longer lets a slow peer drain, shorter bounds how long a dead one is waited for.
 * @param linkIdleTimeout a link no {@link LinkHolder} holds (one dialled on demand, for RPC or a
 *     probe) is closed once no frame of any protocol above the transport crossed it, either way,
 *     for this long (between one and two such periods after its last frame); shorter frees
 *     sockets sooner, longer saves redials (about one round trip and a handshake) for sporadic use.
 */
public record TransportConfig(
        String clusterName,
        HostAndPort bindAddress,
        Optional<HostAndPort> advertisedAddress,
        Optional<ClusterSecret> secret,
        boolean insecureDevelopmentMode,
        Optional<TlsConfig> tls,
        WireLimits wireLimits,
        Duration connectTimeout,
        Duration handshakeTimeout,
        Duration heartbeatInterval,
        Duration heartbeatTimeout,
        Backoff reconnectBackoff,
        Duration reconnectWindow,
        int outboundQueueBytes,
        BackpressurePolicy backpressurePolicy,
        Duration closeTimeout,
        Duration linkIdleTimeout) {

    /** Longest cluster name, in UTF-8 bytes. */
    public static final int MAX_CLUSTER_NAME_BYTES = 255;

    public TransportConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(wireLimits, "wireLimits");
        Objects.requireNonNull(reconnectBackoff, "reconnectBackoff");
        Objects.requireNonNull(backpressurePolicy, "backpressurePolicy");
        if (clusterName.isEmpty() || clusterName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_CLUSTER_NAME_BYTES) {
            throw new IllegalArgumentException("clusterName must be 1.." + MAX_CLUSTER_NAME_BYTES + " UTF-8 bytes");
        }
        positive(connectTimeout, "connectTimeout");
        positive(handshakeTimeout, "handshakeTimeout");
        positive(heartbeatInterval, "heartbeatInterval");
        positive(heartbeatTimeout, "heartbeatTimeout");
        positive(closeTimeout, "closeTimeout");
        positive(linkIdleTimeout, "linkIdleTimeout");
        Objects.requireNonNull(reconnectWindow, "reconnectWindow");
        if (reconnectWindow.isNegative()) {
            throw new IllegalArgumentException("reconnectWindow must not be negative");
        }
        if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("heartbeatTimeout (" + heartbeatTimeout
                    + ") must exceed heartbeatInterval (" + heartbeatInterval + ")");
        }
        if (outboundQueueBytes < wireLimits.maxFrameBytes()) {
            throw new IllegalArgumentException("outboundQueueBytes (" + outboundQueueBytes
                    + ") must hold at least one frame of wireLimits.maxFrameBytes (" + wireLimits.maxFrameBytes() + ")");
        }
    }

    /**
     * Many nodes on one machine (tests, the demo, benchmarks): 127.0.0.1 on a free port, failures
     * detected within a second, small queues.
     */
    public static TransportConfig local(String clusterName, ClusterSecret secret) {
        return new TransportConfig(clusterName, new HostAndPort("127.0.0.1", 0), Optional.empty(),
                Optional.of(secret), false, Optional.empty(), WireLimits.DEFAULT,
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1),
                new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 2.0), Duration.ofSeconds(5),
                4 << 20, BackpressurePolicy.DROP, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    /**
     * Nodes on one data-centre network: failures detected within five seconds, which rides out
     * ordinary GC pauses; lost links redialled for half a minute.
     */
    public static TransportConfig lan(String clusterName, ClusterSecret secret, HostAndPort bindAddress) {
        return new TransportConfig(clusterName, bindAddress, Optional.empty(),
                Optional.of(secret), false, Optional.empty(), WireLimits.DEFAULT,
                Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5),
                Backoff.DEFAULT, Duration.ofSeconds(30),
                16 << 20, BackpressurePolicy.DROP, Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** Changes single fields of a config; {@link #build()} validates the whole. */
    public static final class Builder {
        private String clusterName;
        private HostAndPort bindAddress;
        private Optional<HostAndPort> advertisedAddress;
        private Optional<ClusterSecret> secret;
        private boolean insecureDevelopmentMode;
        private Optional<TlsConfig> tls;
        private WireLimits wireLimits;
        private Duration connectTimeout;
        private Duration handshakeTimeout;
        private Duration heartbeatInterval;
        private Duration heartbeatTimeout;
        private Backoff reconnectBackoff;
        private Duration reconnectWindow;
        private int outboundQueueBytes;
        private BackpressurePolicy backpressurePolicy;
        private Duration closeTimeout;
        private Duration linkIdleTimeout;

        private Builder(TransportConfig c) {
            clusterName = c.clusterName;
            bindAddress = c.bindAddress;
            advertisedAddress = c.advertisedAddress;
            secret = c.secret;
            insecureDevelopmentMode = c.insecureDevelopmentMode;
            tls = c.tls;
            wireLimits = c.wireLimits;
            connectTimeout = c.connectTimeout;
            handshakeTimeout = c.handshakeTimeout;
            heartbeatInterval = c.heartbeatInterval;
            heartbeatTimeout = c.heartbeatTimeout;
            reconnectBackoff = c.reconnectBackoff;
            reconnectWindow = c.reconnectWindow;
            outboundQueueBytes = c.outboundQueueBytes;
            backpressurePolicy = c.backpressurePolicy;
            closeTimeout = c.closeTimeout;
            linkIdleTimeout = c.linkIdleTimeout;
        }

        public Builder clusterName(String v) { clusterName = v; return this; }
        public Builder bindAddress(HostAndPort v) { bindAddress = v; return this; }
        public Builder advertisedAddress(Optional<HostAndPort> v) { advertisedAddress = v; return this; }
        public Builder secret(Optional<ClusterSecret> v) { secret = v; return this; }
        public Builder insecureDevelopmentMode(boolean v) { insecureDevelopmentMode = v; return this; }
        public Builder tls(Optional<TlsConfig> v) { tls = v; return this; }
        public Builder wireLimits(WireLimits v) { wireLimits = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder handshakeTimeout(Duration v) { handshakeTimeout = v; return this; }
        public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
        public Builder heartbeatTimeout(Duration v) { heartbeatTimeout = v; return this; }
        public Builder reconnectBackoff(Backoff v) { reconnectBackoff = v; return this; }
        public Builder reconnectWindow(Duration v) { reconnectWindow = v; return this; }
        public Builder outboundQueueBytes(int v) { outboundQueueBytes = v; return this; }
        public Builder backpressurePolicy(BackpressurePolicy v) { backpressurePolicy = v; return this; }
        public Builder closeTimeout(Duration v) { closeTimeout = v; return this; }
        public Builder linkIdleTimeout(Duration v) { linkIdleTimeout = v; return this; }

        public TransportConfig build() {
            return new TransportConfig(clusterName, bindAddress, advertisedAddress, secret, insecureDevelopmentMode,
                    tls, wireLimits, connectTimeout, handshakeTimeout, heartbeatInterval, heartbeatTimeout,
                    reconnectBackoff, reconnectWindow, outboundQueueBytes, backpressurePolicy, closeTimeout,
                    linkIdleTimeout);
        }
    }
}
