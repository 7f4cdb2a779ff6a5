package io.hyphae.strategy.gossip;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Sends hand-made datagrams to a gossip group on loopback, as an attacker or a fake peer would. */
final class LoopbackSender implements AutoCloseable {

    private final DatagramChannel channel;
    private final InetSocketAddress target;

    LoopbackSender(String group, int port) throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
        target = new InetSocketAddress(InetAddress.getByName(group), port);
    }

    void send(byte[] datagram) throws IOException {
        channel.send(ByteBuffer.wrap(datagram), target);
    }

    static byte[] heartbeat(String cluster, NodeId sender, long timestampMillis, Optional<ClusterSecret> secret) {
        return GossipPacketCodec.encode(new GossipPacket.Heartbeat(cluster, sender, timestampMillis,
                Nonce.random(ThreadLocalRandom.current())), secret);
    }

    static NodeId fakePeer(String name, int port) {
        return new NodeId(name, new HostAndPort("127.0.0.1", port), 1);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
