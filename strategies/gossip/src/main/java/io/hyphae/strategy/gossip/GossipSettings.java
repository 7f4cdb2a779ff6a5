package io.hyphae.strategy.gossip;

import io.hyphae.membership.config.ConfigSection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of the gossip strategy; each field is the config key of the same name (in
 * kebab-case) of a {@code strategy: gossip} block.
 *
 * @param mode multicast (default) or broadcast. Broadcast works where switches or cloud
 *     networks filter multicast, but reaches one subnet only.
 * @param group multicast group (multicast mode). Default 239.255.77.77, in the
 *     organisation-local scope (239.255.0.0/16) that routers do not forward off site. An IPv6
 *     group (ff02::/16 link-local, ff05::/16 site-local) selects IPv6.
 * @param port UDP port every node of the cluster binds and sends to; several nodes on one host
 *     share it. Default 7947.
 * @param ttl multicast hop limit. 1 (default) keeps heartbeats on the local link; higher lets
 *     them cross multicast routers, and lets a wider audience see them.
 * @param networkInterface the interface to join and send on (multicast mode), by name
 *     ({@code eth0}, {@code lo}) or by one of its addresses. Empty: the interface holding the
 *     node's advertised address, or else the one the OS routes the group through. In broadcast
 *     mode the broadcast address chooses the interface.
 * @param broadcastAddress where broadcast mode sends, for example 192.168.1.255, or
 *     127.255.255.255 on loopback; required in broadcast mode.
 * @param interval heartbeat period. Shorter finds new nodes and notices stopped ones sooner, for
 *     more packets (each node sends one per interval). Default 1s.
 * @param expiry a peer not heard for this long is dropped from the seeds. Shorter follows stopped
 *     nodes sooner; it must cover a few lost heartbeats. Default 5 intervals; at least 2.
 * @param maxClockSkew how far a packet's timestamp may differ from this node's clock; also the
 *     replay window. Wider tolerates worse clocks, and keeps more nonces. Default 10s.
 * @param replayCacheSize most nonces remembered for replay detection. It must hold every packet
 *     of the window: (nodes / interval) x 2 x max-clock-skew. Default 16384.
 */
public record GossipSettings(
        GossipMode mode,
        InetAddress group,
        int port,
        int ttl,
        Optional<String> networkInterface,
        Optional<InetAddress> broadcastAddress,
        Duration interval,
        Duration expiry,
        Duration maxClockSkew,
        int replayCacheSize) {

    public static final String DEFAULT_GROUP = "239.255.77.77";
    public static final int DEFAULT_PORT = 7947;
    public static final int DEFAULT_TTL = 1;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_EXPIRY_INTERVALS = 5;
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofSeconds(10);
    public static final int DEFAULT_REPLAY_CACHE_SIZE = 16_384;

    private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f.:]+");

    public GossipSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(networkInterface, "networkInterface");
        Objects.requireNonNull(broadcastAddress, "broadcastAddress");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("group must be a multicast address, was " + group.getHostAddress());
        }
        if (mode == GossipMode.BROADCAST && broadcastAddress.isEmpty()) {
            throw new IllegalArgumentException("broadcast mode needs a broadcast address");
        }
        if (port < 1 || port > 65535 || ttl < 0 || ttl > 255 || replayCacheSize < 1) {
            throw new IllegalArgumentException("port 1..65535, ttl 0..255 and replay cache size >= 1 expected");
        }
        if (interval.isNegative() || interval.isZero() || expiry.compareTo(interval.multipliedBy(2)) < 0
                || maxClockSkew.isNegative() || maxClockSkew.isZero()) {
            throw new IllegalArgumentException("expected interval > 0, expiry >= 2 x interval, max clock skew > 0");
        }
    }

    /** The defaults: multicast to 239.255.77.77:7947, TTL 1, heartbeat every second. */
    public static GossipSettings defaults() {
        return new GossipSettings(GossipMode.MULTICAST, literal(DEFAULT_GROUP), DEFAULT_PORT, DEFAULT_TTL,
                Optional.empty(), Optional.empty(), DEFAULT_INTERVAL,
                DEFAULT_INTERVAL.multipliedBy(DEFAULT_EXPIRY_INTERVALS), DEFAULT_MAX_CLOCK_SKEW, DEFAULT_REPLAY_CACHE_SIZE);
    }

    /**
     * Reads a {@code strategy: gossip} block (without the {@code strategy} key) and refuses
     * unknown keys.
     *
     * @throws io.hyphae.membership.config.ConfigException naming the key and what was expected
     */
    public static GossipSettings read(ConfigSection config) {
        String modeText = config.string("mode", "multicast").trim().toLowerCase(Locale.ROOT);
        GossipMode mode = switch (modeText) {
            case "multicast" -> GossipMode.MULTICAST;
            case "broadcast" -> GossipMode.BROADCAST;
            default -> throw config.error("mode", "expected multicast or broadcast, got '" + modeText + "'");
        };
        Optional<String> groupText = config.optionalString("group");
        Optional<String> broadcastText = config.optionalString("broadcast-address");
        int port = config.integer("port", DEFAULT_PORT, 1, 65535);
        int ttl = config.integer("ttl", DEFAULT_TTL, 0, 255);
        Optional<String> networkInterface = config.optionalString("interface").map(String::trim);
        Duration interval = config.positiveDuration("interval", DEFAULT_INTERVAL);
        Duration expiry = config.positiveDuration("expiry", interval.multipliedBy(DEFAULT_EXPIRY_INTERVALS));
        Duration skew = config.positiveDuration("max-clock-skew", DEFAULT_MAX_CLOCK_SKEW);
        int replayCacheSize = config.integer("replay-cache-size", DEFAULT_REPLAY_CACHE_SIZE, 16, 10_000_000);
        config.rejectUnknownKeys();

        InetAddress group = literal(DEFAULT_GROUP);
        Optional<InetAddress> broadcast = Optional.empty();
        if (mode == GossipMode.MULTICAST) {
            if (networkInterface.isPresent() && networkInterface.get().isEmpty()) {
                throw config.error("interface", "expected an interface name such as eth0 or lo, or one of its addresses");
            }
            if (broadcastText.isPresent()) {
                throw config.error("broadcast-address", "applies to mode: broadcast only (mode is multicast)");
            }
            if (groupText.isPresent()) {
                group = parseLiteral(config, "group", groupText.get());
                if (!group.isMulticastAddress()) {
                    throw config.error("group", "expected a multicast address (224.0.0.0/4, or ff00::/8 for IPv6), got '" + groupText.get() + "'");
                }
            }
        } else {
            if (groupText.isPresent()) {
                throw config.error("group", "applies to mode: multicast only (mode is broadcast)");
            }
            if (networkInterface.isPresent()) {
                throw config.error("interface", "applies to mode: multicast only; in broadcast mode the broadcast-address chooses the interface");
            }
            InetAddress address = parseLiteral(config, "broadcast-address",
                    broadcastText.orElseThrow(() -> config.error("broadcast-address",
                            "is required with mode: broadcast (for example 192.168.1.255 for that subnet, or 127.255.255.255 on loopback)")));
            if (address.getAddress().length != 4) {
                throw config.error("broadcast-address", "expected an IPv4 address (IPv6 has no broadcast), got '" + broadcastText.get() + "'");
            }
            broadcast = Optional.of(address);
        }
        if (expiry.compareTo(interval.multipliedBy(2)) < 0) {
            throw config.error("expiry", "expected at least twice the interval (" + interval.toMillis()
                    + " ms) so one lost heartbeat does not drop a peer, got " + expiry.toMillis() + " ms");
        }
        return new GossipSettings(mode, group, port, ttl, networkInterface, broadcast, interval, expiry, skew, replayCacheSize);
    }

    private static InetAddress parseLiteral(ConfigSection config, String key, String text) {
        String s = text.trim();
        // Only literals: a name here would cost a DNS look-up at start and mean nothing stable.
        if (!IP_LITERAL.matcher(s).matches()) {
            throw config.error(key, "expected an IP address literal, got '" + text + "'");
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw config.error(key, "expected an IP address literal, got '" + text + "'");
        }
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
