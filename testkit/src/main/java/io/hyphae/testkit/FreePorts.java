package io.hyphae.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Port numbers free right now, for nodes a test or benchmark is about to start. The kernel picks
 * them (bind to port 0); every socket of one request stays open until all are picked, so the
 * numbers are distinct. Another process may still take one before the node binds it: the
 * ephemeral range is large, and the callers fail clearly when that happens.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** One free TCP port on the loopback address. */
    public static int tcp() {
        return tcp(1).get(0);
    }

    /** {@code n} distinct free TCP ports on the loopback address. */
    public static List<Integer> tcp(int n) {
        return tcp(InetAddress.getLoopbackAddress(), n);
    }

    /** {@code n} distinct free TCP ports on {@code address}. */
    public static List<Integer> tcp(InetAddress address, int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, address));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on " + address, e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // held only to pick the number
                }
            }
        }
    }

    /** One free UDP port on the loopback address. */
    public static int udp() {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free UDP port", e);
        }
    }
}
