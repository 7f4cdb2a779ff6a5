package io.hyphae.examples.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks that IPv4 multicast works on the loopback interface here, the way the gossip strategy
 * uses it (group joined on {@code lo}, sent with {@code lo} as the multicast interface): one
 * packet to a group and port nobody else uses, received back within a deadline.
 */
final class MulticastProbe {

    private static final String GROUP = "239.255.77.78";

    private MulticastProbe() {
    }

    /** Empty if multicast on loopback works; else why not. */
    static Optional<String> loopbackProblem(Duration deadline) {
        try {
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            if (lo == null) {
                return Optional.of("no loopback interface");
            }
            InetAddress group = InetAddress.getByName(GROUP);
            try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
                 DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET);
                 Selector selector = Selector.open()) {
                receiver.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                receiver.bind(new InetSocketAddress(0));
                receiver.join(group, lo);
                receiver.configureBlocking(false);
                receiver.register(selector, SelectionKey.OP_READ);
                sender.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
                sender.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
                sender.send(ByteBuffer.wrap(new byte[] {'h', 'y'}), new InetSocketAddress(group, port));
                if (selector.select(deadline.toMillis()) > 0 && receiver.receive(ByteBuffer.allocate(16)) != null) {
                    return Optional.empty();
                }
                return Optional.of("a multicast packet sent on " + lo.getName() + " did not come back within "
                        + deadline.toMillis() + " ms");
            }
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.toString());
        }
    }
}
