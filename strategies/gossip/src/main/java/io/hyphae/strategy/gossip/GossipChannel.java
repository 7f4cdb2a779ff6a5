package io.hyphae.strategy.gossip;

import io.hyphae.membership.HostAndPort;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Optional;

/**
 * The one UDP socket of a gossip strategy, bound to the shared port with SO_REUSEADDR so several
 * nodes on one host each get every packet. In multicast mode it is bound to the group (so it
 * hears no other group sent to the same port), has joined it on one interface and sends there
 * with loopback on (nodes on the same host must hear each other). In broadcast mode it is bound
 * to the wildcard address and sends to the configured broadcast address.
 *
 * <p>Non-blocking, for a selector; {@link #send} may be called from any thread.
 */
final class GossipChannel implements Closeable {

    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final String description;

    private GossipChannel(DatagramChannel channel, InetSocketAddress target, String description) {
        this.channel = channel;
        this.target = target;
        this.description = description;
    }

    static GossipChannel open(GossipSettings settings, Optional<NetworkInterface> configured, HostAndPort advertised) throws IOException {
        return settings.mode() == GossipMode.MULTICAST
                ? openMulticast(settings, configured.isPresent() ? configured.get() : defaultInterface(settings, advertised))
                : openBroadcast(settings);
    }

    private static GossipChannel openMulticast(GossipSettings settings, NetworkInterface nif) throws IOException {
        InetAddress group = settings.group();
        DatagramChannel ch = DatagramChannel.open(family(group));
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            // An IPv6 group is bound with the interface as its scope: link-local ones (ff02::)
            // cannot be bound without one.
            InetAddress bindTo = group instanceof Inet6Address ? Inet6Address.getByAddress(null, group.getAddress(), nif) : group;
            ch.bind(new InetSocketAddress(bindTo, settings.port()));
            // Set explicitly, so the interface is the one chosen even where it lacks the MULTICAST
            // flag (Linux's lo): the route table alone would send the group out the default route.
            ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
            ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            ch.join(group, nif);
            ch.configureBlocking(false);
            return new GossipChannel(ch, new InetSocketAddress(group, settings.port()),
                    "multicast " + group.getHostAddress() + " port " + settings.port() + " on " + nif.getName() + " (ttl " + settings.ttl() + ")");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static GossipChannel openBroadcast(GossipSettings settings) throws IOException {
        InetAddress broadcast = settings.broadcastAddress().orElseThrow();
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(StandardSocketOptions.SO_BROADCAST, true);
            // Linux delivers broadcasts only to sockets bound to the wildcard (or the broadcast
            // address itself, which loopback refuses to bind).
            ch.bind(new InetSocketAddress(settings.port()));
            ch.configureBlocking(false);
            return new GossipChannel(ch, new InetSocketAddress(broadcast, settings.port()),
                    "broadcast " + broadcast.getHostAddress() + " port " + settings.port());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The interface holding the node's advertised address (so a node advertising 127.0.0.1 gossips
     * on loopback, and one advertising 10.0.0.5 on the interface that has it); failing that, the
     * one the OS routes the group through.
     */
    private static NetworkInterface defaultInterface(GossipSettings settings, HostAndPort advertised) throws IOException {
        NetworkInterface own = NetworkInterface.getByInetAddress(InetAddress.getByName(advertised.host()));
        if (own != null) {
            return own;
        }
        try (DatagramChannel probe = DatagramChannel.open(family(settings.group()))) {
            // Connecting a UDP socket sends nothing; it only makes the kernel pick a route and source.
            probe.connect(new InetSocketAddress(settings.group(), settings.port()));
            InetAddress source = ((InetSocketAddress) probe.getLocalAddress()).getAddress();
            NetworkInterface routed = NetworkInterface.getByInetAddress(source);
            if (routed == null) {
                throw new IOException("no interface routes " + settings.group().getHostAddress() + "; set 'interface'");
            }
            return routed;
        }
    }

    private static ProtocolFamily family(InetAddress address) {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    DatagramChannel channel() {
        return channel;
    }

    /** Sends one datagram to the group or broadcast address. */
    void send(byte[] datagram) throws IOException {
        if (channel.send(ByteBuffer.wrap(datagram), target) == 0) {
            throw new IOException("socket send buffer full, packet not sent");
        }
    }

    /** The next datagram into {@code buffer}, or empty when none is waiting. */
    Optional<SocketAddress> receive(ByteBuffer buffer) throws IOException {
        return Optional.ofNullable(channel.receive(buffer));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
