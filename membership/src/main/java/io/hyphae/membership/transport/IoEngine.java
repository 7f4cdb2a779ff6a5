package io.hyphae.membership.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;

/**
 * How the transport's event loops wait for and move bytes. {@link #best()} is what
 * {@link TransportResources} use unless told otherwise: {@link #EPOLL} where Netty's native
 * library loads (Linux on x86_64), {@link #NIO} elsewhere.
 *
 * <p>Why epoll first: per message it costs the loops fewer system calls and less Java code than
 * the JDK's selector (no selected-key set, no selector lock), and that code is what every node's
 * JIT compiles in its first seconds. W1 in steady state, five JVMs on two cores: 12–16 % less CPU
 * per multicall on every JVM and p99 447 → 334 µs (docs/performance.md, "The I/O engine and the JIT").
 * Netty's {@code -Dio.netty.transport.noNative=true} turns it off for the whole JVM.
 */
public enum IoEngine {

    /** Linux's epoll through Netty's native transport (edge-triggered, eventfd wake-ups). */
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class, Epoll::unavailabilityCause),

    /** The JDK's NIO selector: every platform Java runs on. */
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class, () -> null);

    private final Supplier<IoHandlerFactory> handlerFactory;
    private final Class<? extends ServerSocketChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Supplier<Throwable> unavailability;

    IoEngine(Supplier<IoHandlerFactory> handlerFactory, Class<? extends ServerSocketChannel> serverChannel,
             Class<? extends SocketChannel> socketChannel, Supplier<Throwable> unavailability) {
        this.handlerFactory = handlerFactory;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.unavailability = unavailability;
    }

    /** {@link #EPOLL} when its native library loaded in this JVM, else {@link #NIO}. */
    public static IoEngine best() {
        return EPOLL.isAvailable() ? EPOLL : NIO;
    }

    IoHandlerFactory handlerFactory() {
        return handlerFactory.get();
    }

    /** The listening channel type for loops of this engine (a channel must match its loop's engine). */
    public Class<? extends ServerSocketChannel> serverChannel() {
        return serverChannel;
    }

    /** The connection channel type for loops of this engine. */
    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /** Whether this engine can run in this JVM. */
    public boolean isAvailable() {
        return unavailability.get() == null;
    }

    /** Why not, when {@link #isAvailable()} is false; {@code "available"} otherwise. */
    public String unavailableBecause() {
        Throwable cause = unavailability.get();
        return cause == null ? "available" : cause.toString();
    }
}
