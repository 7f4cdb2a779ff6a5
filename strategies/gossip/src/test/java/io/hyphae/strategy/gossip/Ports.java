package io.hyphae.strategy.gossip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;

/** A UDP port free right now, so each test gossips on its own port and tests never hear each other. */
final class Ports {

    private Ports() {
    }

    static int freeUdpPort() {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
